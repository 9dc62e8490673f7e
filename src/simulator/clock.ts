/**
 * The simulator clock: wall time plus an offset the tests move forward (`POST /_sim/clock/advance`).
 * SMS verification due times are counted in business days on this clock. The HMAC window uses
 * the wall clock instead, because the client signs with its own real time.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

export class SimClock {
  #offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}

const isWeekend = (ms: number): boolean => {
  const d = new Date(ms).getUTCDay();
  return d === 0 || d === 6;
};

/** `fromMs` plus `days` business days (Mon–Fri, UTC; no holidays). Pure. */
export function addBusinessDays(fromMs: number, days: number): number {
  let t = fromMs;
  for (let i = 0; i < days; i++) {
    t += DAY_MS;
    while (isWeekend(t)) t += DAY_MS;
  }
  return t;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A10 `updatedAt`: `yyyy-MM-dd HH:mm:ss` (UTC). */
export function formatVendorTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
