/**
 * The optional per-applicationId token bucket (A13), off by default. Each applicationId has a
 * bucket of `burst` tokens (default: requestsPerSecond, i.e. one second's worth) that starts full
 * and refills continuously at `requestsPerSecond`. A request takes one token; without one it is
 * a violation: HTTP 429 + Retry-After + envelope 5000. The time source is passed in (ms).
 */
import type { RateLimitOptions } from './types';

interface Bucket { tokens: number; atMs: number }

export type Admission = { ok: true } | { ok: false; retryAfterSec: number };

export class RateLimiter {
  #rps = 0;
  #burst = 0;
  #buckets = new Map<string, Bucket>();

  constructor(opts?: RateLimitOptions) {
    this.configure(opts);
  }

  configure(opts: RateLimitOptions | undefined): void {
    this.#rps = opts && opts.requestsPerSecond > 0 ? opts.requestsPerSecond : 0;
    this.#burst = this.#rps ? Math.max(1, opts?.burst ?? this.#rps) : 0;
    this.#buckets.clear();
  }

  get settings(): { requestsPerSecond: number; burst: number } {
    return { requestsPerSecond: this.#rps, burst: this.#burst };
  }

  resetBuckets(): void {
    this.#buckets.clear();
  }

  admit(applicationId: string, nowMs: number): Admission {
    if (!this.#rps) return { ok: true };
    let b = this.#buckets.get(applicationId);
    if (!b) {
      b = { tokens: this.#burst, atMs: nowMs };
      this.#buckets.set(applicationId, b);
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((nowMs - b.atMs) * this.#rps) / 1000);
    b.atMs = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    const waitMs = ((1 - b.tokens) * 1000) / this.#rps;
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
