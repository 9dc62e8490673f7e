/**
 * What a step tells its driver (the in-process loop or the BullMQ step job). Pure.
 *
 * - `next`: the step's work is in Postgres; the next step may run.
 * - `stop`: the run needs nothing more now (ended, held, previewed, superseded, or not this
 *   step's to touch); later steps skip themselves.
 * - `wait`: the step cannot start yet (another run holds the source; a partner step waits for an
 *   apply to finish); try the same step again after `ms`.
 *
 * A step that fails throws a SyncError: `permanent` and `bad-input` after recording the failure
 * on the run (never retried), `retryable` with the run untouched (retried, then failed by the
 * driver with the same code when the attempts are used up).
 */
export type StepOutcome =
  | { kind: 'next'; result: unknown }
  | { kind: 'stop'; reason: string; result?: unknown }
  | { kind: 'wait'; ms: number; reason: string };

export const next = (result: unknown): StepOutcome => ({ kind: 'next', result });
export const stop = (reason: string, result?: unknown): StepOutcome => ({ kind: 'stop', reason, ...(result === undefined ? {} : { result }) });
export const wait = (ms: number, reason: string): StepOutcome => ({ kind: 'wait', ms, reason });
