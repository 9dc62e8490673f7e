/**
 * Injected faults (A15, A2, A13): the fault set, its validation, and the choice for one request.
 * Latency faults add up (every matching one adds its delay, so several latency faults with rates
 * make a distribution); of the other kinds the FIRST matching one that fires wins. A fault with
 * `count` fires on the next N matching requests; one with `rate` fires with that probability
 * (seeded PRNG); one with neither always fires.
 */
import type { Random } from './prng';
import type { Fault, FaultKind } from './types';

const KINDS = new Set(['envelope', 'http', 'hang', 'reset', 'lost', 'latency']);

interface ActiveFault { fault: Fault; method: string; remaining: number | null }

export interface FaultChoice {
  latencyMs: number;
  fault: Exclude<FaultKind, { kind: 'latency' }> | null;
}

const isNum = (v: unknown, min: number, max = Number.POSITIVE_INFINITY): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** Every problem with a fault list, as `faults[i].field: problem` (empty = valid). Pure. */
export function faultProblems(input: unknown): string[] {
  if (!Array.isArray(input)) return ['faults: must be an array'];
  const out: string[] = [];
  input.forEach((f: unknown, i) => {
    const p = (msg: string) => out.push(`faults[${i}].${msg}`);
    if (!f || typeof f !== 'object') { p('(root): must be an object'); return; }
    const o = f as Record<string, unknown>;
    if (!KINDS.has(o.kind as string)) { p(`kind: must be one of ${[...KINDS].join(', ')}`); return; }
    if (o.method !== undefined && (typeof o.method !== 'string' || !o.method)) p('method: must be "*" or a method name');
    if (o.rate !== undefined && !isNum(o.rate, 0, 1)) p('rate: must be between 0 and 1');
    if (o.count !== undefined && !(Number.isInteger(o.count) && (o.count as number) >= 0)) p('count: must be a whole number ≥ 0');
    if (o.kind === 'envelope' && !Number.isInteger(o.code)) p('code: required, an integer responseCode');
    if (o.kind === 'http' && !(Number.isInteger(o.status) && isNum(o.status, 400, 599))) p('status: required, an HTTP status 400–599');
    if (o.kind === 'http' && o.retryAfterSec !== undefined && !isNum(o.retryAfterSec, 0)) p('retryAfterSec: must be ≥ 0');
    if (o.kind === 'hang' && o.ms !== undefined && !isNum(o.ms, 0)) p('ms: must be ≥ 0');
    if (o.kind === 'latency' && !isNum(o.ms, 0)) p('ms: required, ≥ 0');
    if (o.kind === 'latency' && o.jitterMs !== undefined && !isNum(o.jitterMs, 0)) p('jitterMs: must be ≥ 0');
  });
  return out;
}

export class FaultSet {
  #faults: ActiveFault[] = [];
  readonly #random: Random;

  constructor(random: Random, faults: Fault[] = []) {
    this.#random = random;
    this.replace(faults);
  }

  replace(faults: Fault[]): void {
    this.#faults = faults.map((fault) => ({ fault, method: (fault.method ?? '*').toLowerCase(), remaining: fault.count ?? null }));
  }

  clear(): void {
    this.#faults = [];
  }

  get size(): number {
    return this.#faults.length;
  }

  /** What happens to one request of `method` (canonical name). */
  pick(method: string): FaultChoice {
    const choice: FaultChoice = { latencyMs: 0, fault: null };
    if (this.#faults.length === 0) return choice;
    const lower = method.toLowerCase();
    for (const a of this.#faults) {
      if (a.method !== '*' && a.method !== lower) continue;
      const f = a.fault;
      if (f.kind !== 'latency' && choice.fault) continue;
      if (a.remaining !== null) {
        if (a.remaining <= 0) continue;
        a.remaining--;
      } else if (f.rate !== undefined && this.#random() >= f.rate) {
        continue;
      }
      if (f.kind === 'latency') choice.latencyMs += f.ms + (f.jitterMs ? this.#random() * f.jitterMs : 0);
      else choice.fault = f;
    }
    return choice;
  }
}
