import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { HTTPException } from 'hono/http-exception';
import { BatonError } from '../domain/errors';
import { fromFailure } from '../workflows/failures';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** gRPC status codes the API answers for itself (see @grpc/grpc-js `status`). */
const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNIMPLEMENTED: 12, UNAVAILABLE: 14 } as const;

/** The gRPC status code anywhere in the cause chain (the client wraps them in `ServiceError`s). */
export function grpcCode(err: unknown): number | undefined {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Every message in the cause chain, joined: Temporal's reason is often on the gRPC error inside. */
function chainMessages(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { message, details } = e as { message?: unknown; details?: unknown };
    if (typeof message === 'string') parts.push(message);
    if (typeof details === 'string') parts.push(details);
  }
  return parts.join(' | ');
}

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

const unavailable = (message: string, retryAfter = '5', code = 'temporal_unavailable') => ({
  status: 503,
  headers: { 'retry-after': retryAfter },
  body: { error: { code, message } },
});

/** Every error becomes `{ error: { code, message } }` with a fitting status; never a stack trace. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof ApiError) {
    return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } } };
  }
  // A workflow update the lead rejected (validator or handler): the Baton error it stands for.
  const rejected = err instanceof WorkflowUpdateFailedError ? fromFailure(err.cause) : null;
  if (rejected) return toErrorResponse(rejected);
  if (err instanceof BatonError) {
    const retryAfter: Record<string, string> = err.retryAfterMs ? { 'retry-after': String(Math.ceil(err.retryAfterMs / 1000)) } : {};
    // Server-side problems (config, providers) keep their code but never leak internals.
    const message = err.httpStatus >= 500 ? 'a dependency failed; try again later' : err.message;
    return { status: err.httpStatus, headers: retryAfter, body: { error: { code: err.code, message } } };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { status: 404, headers: {}, body: { error: { code: 'not_found', message: 'no such lead' } } };
  }
  if (err instanceof QueryNotRegisteredError) {
    // The worker has not picked the workflow up yet: its query handlers do not exist.
    return unavailable('the lead is still starting; try again in a moment', '1');
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 400 && /json/i.test(err.message) ? 'invalid_json' : (HTTP_CODES[status] ?? 'bad_request');
    return { status, headers: {}, body: { error: { code, message: err.message || 'bad request' } } };
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return unavailable('the request did not finish in time; check the lead before retrying');
  }
  const code = grpcCode(err);
  if (code === GRPC.NOT_FOUND) return { status: 404, headers: {}, body: { error: { code: 'not_found', message: 'no such lead' } } };
  // A query with no worker polling the lead's task queue: Temporal refuses it at once ("no poller seen").
  if (code === GRPC.FAILED_PRECONDITION && /no poller/i.test(chainMessages(err))) {
    return unavailable('no worker is running for this lead right now; try again shortly', '5', 'worker_unavailable');
  }
  // WorkflowNotReady: the lead's workflow task keeps failing or timing out (a worker died mid-task,
  // history restarted) and Temporal refuses queries until one succeeds. Seen on a cluster after kills;
  // it passes once a worker completes the task, so the caller retries.
  if (code === GRPC.FAILED_PRECONDITION) {
    return { status: 503, headers: { 'retry-after': '2' }, body: { error: { code: 'lead_not_ready', message: 'the lead is recovering (its last step is being retried); try again shortly' } } };
  }
  if (code === GRPC.UNAVAILABLE) return unavailable('Temporal is not reachable; try again shortly');
  // Listing and counting need a visibility store, which the time-skipping test server has not:
  // retrying would not help, so say what would.
  if (code === GRPC.UNIMPLEMENTED) {
    return { status: 501, headers: {}, body: { error: { code: 'not_supported', message: 'this Temporal server cannot list or count workflows (it has no visibility store, like the time-skipping test server); ops lists need the dev server or a cluster' } } };
  }
  // Temporal, or the worker a query needs, did not answer before the request's deadline.
  // (The client's own deadline, `withDeadline`, ends the call as CANCELLED rather than DEADLINE_EXCEEDED.)
  if (code === GRPC.DEADLINE_EXCEEDED || code === GRPC.CANCELLED) return unavailable('Temporal did not answer in time (is it up, with a worker running?); try again shortly');
  if (code === GRPC.RESOURCE_EXHAUSTED) return unavailable('Temporal is overloaded; try again shortly');
  const message = (err as Error)?.message ?? '';
  if (/UNAVAILABLE|ECONNREFUSED|Connection refused|DEADLINE_EXCEEDED/i.test(message)) return unavailable('Temporal is not reachable; try again shortly');
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: 'internal error' } } };
}
