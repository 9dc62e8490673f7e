/**
 * The pure rules of apply: what a save's reply means for its outbox row, how long to wait before
 * a retry, and whether Updox already holds a payload (reconciling an ambiguous write). Pure: the
 * random source is passed in; no clock, no I/O.
 */
import { PRACTICE_FIELDS, type PracticeValues } from '../practice';
import type { CallResult, UpdoxPractice } from '../updox/types';
import { jsonbText } from './merge';
import { extraFields, fromWire } from './payload';

export interface BackoffRule {
  /** The first retry waits between base/2 and base. */
  baseMs: number;
  /** Upper bound of one wait (before Retry-After). */
  capMs: number;
}

export const DEFAULT_APPLY_BACKOFF: BackoffRule = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * Wait before retry number `attempt` (1 = the first retry): equal jitter over an exponential
 * ceiling, so workers that failed together do not retry together; never shorter than the
 * server's Retry-After.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, rule: BackoffRule, random: () => number): number {
  const ceiling = Math.min(rule.capMs, rule.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** What happens to an outbox row after one PracticeSave reply. */
export type SaveVerdict =
  | { kind: 'succeeded' }
  | { kind: 'reconcile' } // may have been applied: ask PracticeGet before any retry
  | { kind: 'retry' }
  | { kind: 'failed' } // the vendor refused the data, or the attempt budget is spent
  | { kind: 'insufficient' } // 4039: failed, and the practice is marked
  | { kind: 'halt' }; // credentials or activation: pause the whole run

/**
 * Classifies a save reply for the outbox. `attemptsAfter` counts this write; a retryable reply
 * with no budget left fails the row. Any reply that may hide an applied write (ambiguous) is
 * reconciled first, whatever its outcome.
 */
export function saveVerdict(r: Pick<CallResult, 'outcome' | 'ambiguous'>, attemptsAfter: number, maxAttempts: number): SaveVerdict {
  if (r.ambiguous && r.outcome !== 'ok' && r.outcome !== 'halt') return { kind: 'reconcile' };
  switch (r.outcome) {
    case 'ok': return { kind: 'succeeded' };
    case 'halt': return { kind: 'halt' };
    case 'insufficient_details': return { kind: 'insufficient' };
    case 'retryable':
      return attemptsAfter >= maxAttempts ? { kind: 'failed' } : { kind: 'retry' };
    default: return { kind: 'failed' }; // permanent, pending_verification (not expected from a save)
  }
}

/** A field whose value differs between what we sent and what Updox holds. */
export interface FieldDifference { field: string; sent: unknown; remote: unknown }

/**
 * Whether the remote record holds exactly the payload, compared as domain values (fromWire), so
 * "" and null agree and `active` compares as a boolean. Only the fields the read returns are
 * compared: a key it lacks (the real replies carry no 1.1 fields, [S23]) says nothing about what
 * was saved (updox-api.md §3.4). Fields we do not model compare as JSON values. Vendor defaults
 * that are not differences: `active` not sent keeps its value (A7), `country` not sent reads
 * back as "US" (A8), `timeZone` not sent reads back as "Zulu" (A16), and a bare Direct local part
 * reads back joined to the directDomain (A17).
 */
export function payloadDifferences(remote: UpdoxPractice, payload: UpdoxPractice): FieldDifference[] {
  const want: PracticeValues = fromWire(payload);
  const have: PracticeValues = fromWire(remote);
  const out: FieldDifference[] = [];
  for (const [k, v] of Object.entries(extraFields(payload))) {
    if (!(k in remote)) continue;
    if (jsonbText(v) !== jsonbText(remote[k])) out.push({ field: k, sent: v, remote: remote[k] });
  }
  for (const f of PRACTICE_FIELDS) {
    if (!(f in remote)) continue;
    const w = want[f];
    const h = have[f];
    if (f === 'active' && w === null) continue;
    if (f === 'country' && w === null && (h === null || h === 'US')) continue;
    if (f === 'timeZone' && w === null && (h === null || h === 'Zulu')) continue;
    if (f === 'directAddress' && typeof w === 'string' && typeof h === 'string') {
      // A17: a bare local part is stored combined with the account's directDomain.
      const full = w.includes('@') || !want.directDomain ? w : `${w}@${want.directDomain}`;
      if (full.toLowerCase() === h.toLowerCase()) continue;
    }
    if (w !== h) out.push({ field: f, sent: w, remote: h });
  }
  return out;
}

export const holdsPayload = (remote: UpdoxPractice, payload: UpdoxPractice): boolean =>
  payloadDifferences(remote, payload).length === 0;
