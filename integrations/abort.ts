/**
 * Cancelling HTTP requests that SDKs start without a signal of their own.
 *
 * HubSpot's SDK sends through Node's `http.request` whenever a request carries an agent, and lets a
 * per-call middleware set that agent, but takes no AbortSignal. `abortableAgent` wraps the shared
 * keep-alive agent for one request: Node hands the agent the `ClientRequest` it creates
 * (`agent.addRequest(req, options)`), so the wrapper can destroy that request when the signal
 * fires. A destroyed request closes its socket: the provider sees the connection drop instead of
 * Baton waiting on (and abandoning) a request that may still land after the retry.
 */
import type { Agent, ClientRequest } from 'node:http';

type AddRequest = (req: ClientRequest, options: unknown) => void;

/** One request's view of `base`: same sockets and pool, but destroyed when `signal` aborts. */
export function abortableAgent<A extends Agent>(base: A, signal: AbortSignal): A {
  const agent = Object.create(base) as A & { addRequest: AddRequest };
  const addRequest = (base as unknown as { addRequest: AddRequest }).addRequest;
  agent.addRequest = (req, options) => {
    const abort = () => req.destroy(abortReason(signal));
    if (signal.aborted) {
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    req.once('close', () => signal.removeEventListener('abort', abort));
    addRequest.call(base, req, options);
  };
  return agent;
}

/** The signal's reason as an Error (AbortSignal.timeout gives a DOMException named TimeoutError). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'the request was aborted');
  err.name = 'AbortError';
  return err;
}

/** Rejects as soon as `signal` aborts (never resolves): race it against work that cannot see the signal. */
export function whenAborted(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  if (!signal) return { promise: new Promise<never>(() => {}), dispose: () => {} };
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // the caller observes it through the race; never an unhandled rejection
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
