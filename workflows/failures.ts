/**
 * Baton's errors as Temporal failures, one way and back: an activity (or a workflow handler) throws
 * the ApplicationFailure of a BatonError, whose type is the class name and whose retryability is
 * the class's; the workflow and the API recognise a failure by class, never by a string literal.
 * Safe in the workflow sandbox (no I/O).
 */
import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/common';
import { BatonError, errorClassNamed, isBatonError } from '../domain/errors';

/** The failure a BatonError travels as; other errors pass through unchanged. */
export function toFailure(err: unknown): unknown {
  if (!isBatonError(err)) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
    ...(err.details !== undefined ? { details: [err.details] } : {}),
  });
}

/**
 * Why a step failed, or null when it was not the step's activity that failed (a bug in the
 * workflow, a cancellation). A remote activity's failure comes wrapped in an ActivityFailure; a
 * local activity's comes as it is (an ApplicationFailure, or a TimeoutFailure).
 */
export function stepFailure(err: unknown): TemporalFailure | null {
  if (err instanceof ActivityFailure) return err.cause instanceof TemporalFailure ? err.cause : err;
  if (err instanceof ApplicationFailure || err instanceof TimeoutFailure) return err;
  return null;
}

/** Whether `err` (a step's failure, wrapped or not) is the failure of a BatonError of this class. */
export function isFailureOf(err: unknown, type: abstract new (...args: never[]) => BatonError): boolean {
  const failure = stepFailure(err) ?? (err instanceof ApplicationFailure ? err : null);
  if (!(failure instanceof ApplicationFailure)) return false;
  const found = errorClassNamed(failure.type);
  return found !== undefined && (found === type || found.prototype instanceof type);
}

/** The BatonError a failure stands for (its class, message and details), or null for any other failure. */
export function fromFailure(err: unknown): BatonError | null {
  const failure = stepFailure(err) ?? (err instanceof ApplicationFailure ? err : null);
  if (!(failure instanceof ApplicationFailure)) return null;
  const Type = errorClassNamed(failure.type);
  if (!Type) return null;
  const details = failure.details?.[0];
  return new Type(failure.message, details !== undefined ? { details } : {});
}
