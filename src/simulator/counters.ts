/**
 * What the simulator saw (`GET /_sim/counters`): requests per method and outcome code, applied
 * practice writes per account, the most contract requests in any sliding one-second window, the
 * most requests in flight at once, and rate-limit violations. O(1) amortized per request.
 */
export interface CountersSnapshot {
  total: number;
  requests: Record<string, Record<string, number>>;
  writesByAccount: Record<string, number>;
  maxRequestsPerSecond: number;
  rateLimitViolations: number;
  maxInFlight: number;
  inFlight: number;
  webhooks: { sent: number; failed: number };
}

const WINDOW_MS = 1000;

export class Counters {
  total = 0;
  rateLimitViolations = 0;
  maxInFlight = 0;
  inFlight = 0;
  maxRequestsPerSecond = 0;
  webhooksSent = 0;
  webhooksFailed = 0;
  #requests = new Map<string, Map<string, number>>();
  #writes = new Map<string, number>();
  // Arrival times inside the last second: a queue in an array with a moving head.
  #arrivals: number[] = [];
  #head = 0;

  /** A contract request arrived (`nowMs` from a monotonic clock). */
  arrive(nowMs: number): void {
    this.total++;
    const q = this.#arrivals;
    q.push(nowMs);
    while (q[this.#head]! <= nowMs - WINDOW_MS) this.#head++;
    const inWindow = q.length - this.#head;
    if (inWindow > this.maxRequestsPerSecond) this.maxRequestsPerSecond = inWindow;
    if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#arrivals = q.slice(this.#head);
      this.#head = 0;
    }
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  depart(): void {
    this.inFlight--;
  }

  /** `code` = envelope responseCode, or 'http429', 'reset', 'hang', 'lost'… */
  count(method: string, code: number | string): void {
    let m = this.#requests.get(method);
    if (!m) this.#requests.set(method, (m = new Map()));
    const k = String(code);
    m.set(k, (m.get(k) ?? 0) + 1);
  }

  wrote(accountId: string): void {
    this.#writes.set(accountId, (this.#writes.get(accountId) ?? 0) + 1);
  }

  reset(): void {
    this.total = 0;
    this.rateLimitViolations = 0;
    this.maxInFlight = this.inFlight;
    this.maxRequestsPerSecond = 0;
    this.webhooksSent = 0;
    this.webhooksFailed = 0;
    this.#requests.clear();
    this.#writes.clear();
    this.#arrivals = [];
    this.#head = 0;
  }

  snapshot(): CountersSnapshot {
    const requests: Record<string, Record<string, number>> = {};
    for (const [m, codes] of this.#requests) requests[m] = Object.fromEntries(codes);
    return {
      total: this.total,
      requests,
      writesByAccount: Object.fromEntries(this.#writes),
      maxRequestsPerSecond: this.maxRequestsPerSecond,
      rateLimitViolations: this.rateLimitViolations,
      maxInFlight: this.maxInFlight,
      inFlight: this.inFlight,
      webhooks: { sent: this.webhooksSent, failed: this.webhooksFailed },
    };
  }
}
