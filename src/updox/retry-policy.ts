/**
 * Which results are retried, and how long to wait. Pure (the random source is passed in).
 *
 * Safety depends on the Updox method, not on the HTTP verb (every call is a POST):
 * - `safe`: reads and whole-record writes. PracticeSave/PracticeUpdate replace the whole record
 *   (updox-api.md §3, §8), so repeating the same body after an ambiguous failure converges on the
 *   same state. Every retryable result is retried, ambiguous or not.
 * - `not-if-ambiguous`: PracticeCreate. A repeat after an unseen success answers 4130, so an
 *   ambiguous result goes back to the caller (reconcile with PracticeGet); only failures that
 *   certainly were not applied (refused connection, 429/503, envelope 5xxx) are retried.
 * - `never`: SmsSend, PatientDirectMessageSend. A message must not be sent twice.
 */
import type { Classification } from './classify-reply';
import type { UpdoxMethod } from './wire';

export type RetrySafety = 'safe' | 'not-if-ambiguous' | 'never';

export const METHOD_SAFETY: Record<UpdoxMethod, RetrySafety> = {
  PracticeSave: 'safe',
  PracticeUpdate: 'safe',
  PracticeCreate: 'not-if-ambiguous',
  PracticeGet: 'safe',
  PracticeList: 'safe',
  SmsSendNumberList: 'safe',
  SmsSend: 'never',
  PatientDirectMessageSend: 'never',
  Ping: 'safe',
  PingWithApplicationAuth: 'safe',
  PingWithAccountAuth: 'safe',
  PingWithAuth: 'safe',
};

export interface BackoffOptions {
  /** First retry waits up to this long (full jitter). */
  baseMs: number;
  /** Upper bound of one jittered wait. */
  capMs: number;
  /** A Retry-After longer than this is not slept: the result goes back to the caller. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 15_000, maxRetryAfterMs: 60_000 };

/** Whether this result may be retried at all (ignoring the attempt budget). */
export function mayRetry(method: UpdoxMethod, c: Classification): boolean {
  if (c.outcome !== 'retryable' || c.reason === 'UPDOX_ABORTED') return false;
  const safety = METHOD_SAFETY[method];
  if (safety === 'never') return false;
  if (safety === 'not-if-ambiguous' && c.ambiguous) return false;
  return true;
}

/**
 * The wait before retry number `retry` (1-based): full jitter, random(0, min(cap, base·2^(retry-1))),
 * but never shorter than the server's Retry-After. Returns null when Retry-After exceeds the maximum.
 */
export function backoffMs(retry: number, c: Pick<Classification, 'retryAfterMs'>, opts: BackoffOptions, random: () => number): number | null {
  if (c.retryAfterMs !== undefined && c.retryAfterMs > opts.maxRetryAfterMs) return null;
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, retry - 1));
  const jitter = Math.floor(random() * ceiling);
  return Math.max(jitter, c.retryAfterMs ?? 0);
}

/** Whether a result should slow the shared limiter down (throttling, overload, timeouts). */
export function isOverloadSignal(c: Classification, httpStatus: number | null): boolean {
  if (c.reason === 'UPDOX_TIMEOUT') return true;
  if (httpStatus === 429 || (httpStatus !== null && httpStatus >= 500)) return true;
  return c.code !== null && c.code >= 5000 && c.code < 6000;
}
