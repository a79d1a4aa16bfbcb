import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { HTTPException } from 'hono/http-exception';
import { BatonError, InputError, LeadStateConflict, NotFoundError, SlotConflict } from '../domain/errors';

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

const FAILURE_TYPES: Record<string, new (message: string) => BatonError> = {
  InputError,
  NotFoundError,
  LeadStateConflict,
  SlotConflict,
};

/** Every error becomes `{ error: { code, message } }` with a fitting status; never a stack trace. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof ApiError) {
    return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } } };
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const Type = FAILURE_TYPES[err.cause.type ?? ''];
    if (Type) return toErrorResponse(new Type(err.cause.message));
  }
  if (err instanceof BatonError) {
    return { status: err.httpStatus, headers: {}, body: { error: { code: err.code, message: err.message } } };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { status: 404, headers: {}, body: { error: { code: 'not_found', message: 'no such lead' } } };
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
    return { status, headers: {}, body: { error: { code, message: err.message || 'bad request' } } };
  }
  const message = (err as Error)?.message ?? '';
  if (/UNAVAILABLE|ECONNREFUSED|Connection refused|deadline/i.test(message)) {
    return { status: 503, headers: { 'retry-after': '5' }, body: { error: { code: 'temporal_unavailable', message: 'Temporal is not reachable; try again shortly' } } };
  }
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: 'internal error' } } };
}
