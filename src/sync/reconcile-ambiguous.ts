/**
 * Before re-sending a write whose reply was never read (a timeout or reset after sending, a
 * "lost" response, or a row found in flight after its worker died), ask Updox what it holds.
 * When PracticeGet shows exactly our payload the write landed: the row succeeds without another
 * write. This is what keeps a crash from costing more than one extra write per account.
 */
import type { UpdoxClient, UpdoxPractice } from '../updox/types';
import { payloadDifferences, type FieldDifference } from './apply-rules';

/** Updox code for "practice does not exist" (PracticeGet/PracticeUpdate on an unknown id; A18). */
const UNKNOWN_PRACTICE = 4131;

export type ReconcileResult =
  | { state: 'applied' }
  | { state: 'not_applied'; differences: FieldDifference[] | 'missing' }
  | { state: 'unknown'; code: number | null; message: string; retryAfterMs?: number }
  | { state: 'halt'; code: number | null; message: string };

export async function reconcileWithRemote(
  client: UpdoxClient, accountId: string, payload: UpdoxPractice, signal?: AbortSignal,
): Promise<ReconcileResult> {
  const r = await client.practiceGet(accountId, signal ? { signal } : {});
  if (r.outcome === 'ok') {
    const remote = r.body?.practice;
    if (!remote) return { state: 'unknown', code: r.code, message: 'PracticeGet answered without a practice' };
    const differences = payloadDifferences(remote, payload);
    return differences.length === 0 ? { state: 'applied' } : { state: 'not_applied', differences };
  }
  if (r.code === UNKNOWN_PRACTICE) return { state: 'not_applied', differences: 'missing' };
  if (r.outcome === 'halt') return { state: 'halt', code: r.code, message: r.message };
  return { state: 'unknown', code: r.code, message: r.message, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) };
}
