/**
 * One outbox row, one decision: reconcile first when the last write's reply was never read, send
 * PracticeSave/1.1 (one HTTP attempt: retries go through the outbox so that an ambiguous reply is
 * always reconciled before the next write), and turn the reply into what gets recorded.
 * Does no database I/O itself; apply.ts records the result.
 */
import type { UpdoxClient } from '../updox/types';
import { retryDelayMs, saveVerdict, type BackoffRule } from './apply-rules';
import type { ClaimedAction } from './claim';
import { reconcileWithRemote, type ListLookup, type ReconcileResult } from './reconcile-ambiguous';
import type { Recorded } from './record';

/** Named points of an action's life, for the crash tests' kill hook. */
export type ApplyPoint = 'claimed' | 'before_send' | 'after_send' | 'recorded';

export interface ProcessContext {
  client: UpdoxClient;
  maxAttempts: number;
  /** PracticeGet codes meaning "no such practice" (UPDOX_NOT_FOUND_CODES). */
  notFoundCodes: readonly number[];
  /** PracticeList fallback when PracticeGet is inconclusive (UPDOX_LOST_REPLY_LIST_FALLBACK); absent: none. */
  listLookup?: ListLookup;
  now?: () => number;
  backoff: BackoffRule;
  random: () => number;
  signal?: AbortSignal;
  /** Test seam: called at named points. Absent in production. */
  at?: (point: ApplyPoint, a: ClaimedAction) => void | Promise<void>;
}

export interface Processed {
  recorded: Recorded;
  /** Set when the run must halt (credentials or activation). */
  haltReason?: string;
  /** A PracticeSave was sent. */
  sent: boolean;
}

const describeCode = (code: number | null, message: string) => (code === null ? message : `${code} ${message}`);

export async function processAction(ctx: ProcessContext, a: ClaimedAction): Promise<Processed> {
  let reconciles = 0;
  const retryAt = (writes: number, retryAfterMs?: number) => retryDelayMs(Math.max(1, a.attempts + writes), retryAfterMs, ctx.backoff, ctx.random);

  // An upgrade re-saves the values Updox already holds: PracticeGet cannot tell whether the 1.1
  // save landed (the vendor does not report the API version), so an upgrade is simply re-sent
  // (PracticeSave is safe to repeat) instead of being "confirmed" by a read that proves nothing.
  const canReconcile = a.op !== 'upgrade';
  if (a.needsReconcile && canReconcile) {
    reconciles++;
    const rc = await reconcile(ctx, a, (ctx.now ?? Date.now)());
    const settled = settleReconcile(rc, a, 0, reconciles, ctx, retryAt);
    if (settled) return settled;
  }
  if (ctx.signal?.aborted) {
    return { sent: false, recorded: { status: 'pending', code: null, message: 'released on shutdown before sending', writes: 0, reconciles, delayMs: 0, needsReconcile: a.needsReconcile } };
  }
  await ctx.at?.('before_send', a);
  let res;
  try {
    res = await ctx.client.practiceSave(a.payload, { version: '1.1', maxRetries: 0, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    // The client reports call outcomes as results; a throw is unexpected (limiter, bug). Whether
    // anything was sent is unknown, so the next attempt reconciles first.
    return { sent: true, recorded: { status: 'pending', code: null, message: `client error: ${(err as Error).message}`, writes: 1, reconciles, delayMs: retryAt(1), needsReconcile: true } };
  }
  await ctx.at?.('after_send', a);
  const writes = Math.max(1, res.attempts);
  if (ctx.signal?.aborted && res.outcome !== 'ok') {
    return { sent: true, recorded: { status: 'pending', code: res.code, message: res.message, writes, reconciles, delayMs: 0, needsReconcile: true } };
  }
  const base = { code: res.code, message: res.message, writes, reconciles };
  const verdict = saveVerdict(res, a.attempts + writes, ctx.maxAttempts);
  if (verdict.kind === 'reconcile' && !canReconcile) {
    const spent = a.attempts + writes >= ctx.maxAttempts || res.outcome !== 'retryable';
    return { sent: true, recorded: spent ? { status: 'failed', ...base } : { status: 'pending', ...base, delayMs: retryAt(writes, res.retryAfterMs), needsReconcile: false } };
  }
  switch (verdict.kind) {
    case 'succeeded': return { sent: true, recorded: { status: 'succeeded', ...base } };
    case 'failed': return { sent: true, recorded: { status: 'failed', ...base } };
    case 'insufficient': return { sent: true, recorded: { status: 'failed', ...base, insufficient: true } };
    case 'retry': return { sent: true, recorded: { status: 'pending', ...base, delayMs: retryAt(writes, res.retryAfterMs), needsReconcile: false } };
    case 'halt':
      return { sent: true, haltReason: describeCode(res.code, res.message), recorded: { status: 'pending', ...base, delayMs: 0, needsReconcile: false } };
    case 'reconcile': {
      reconciles++;
      const rc = await reconcile(ctx, a, (ctx.now ?? Date.now)());
      const settled = settleReconcile(rc, a, writes, reconciles, ctx, retryAt, res);
      if (settled) return { ...settled, sent: true };
      // Not applied: the write is lost for sure, so it is an ordinary retry (or the end of the budget).
      if (a.attempts + writes >= ctx.maxAttempts || res.outcome !== 'retryable') return { sent: true, recorded: { status: 'failed', ...base, reconciles } };
      return { sent: true, recorded: { status: 'pending', ...base, reconciles, delayMs: retryAt(writes, res.retryAfterMs), needsReconcile: false } };
    }
  }
}

/** `notBefore`: a PracticeList that answers must have been asked for after this (ms). */
async function reconcile(ctx: ProcessContext, a: ClaimedAction, notBefore: number): Promise<ReconcileResult> {
  try {
    return await reconcileWithRemote(ctx.client, a.accountId, a.payload, {
      notFoundCodes: ctx.notFoundCodes, notBefore, ...(ctx.listLookup ? { listLookup: ctx.listLookup } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    const message = `client error: ${(err as Error).message}`;
    return { state: 'unknown', code: null, message, evidence: { practiceGet: { outcome: 'error', code: null, message } } };
  }
}

/**
 * The result of a reconcile, or null when the write must be (re)sent. A reconcile that cannot
 * tell keeps the row pending with needs_reconcile; after maxAttempts such looks it ends
 * `needs_review` with the evidence (never a silent failure: whether Updox holds the write is
 * unknown, and someone has to look).
 */
function settleReconcile(
  rc: ReconcileResult, a: ClaimedAction, writes: number, reconciles: number, ctx: ProcessContext,
  retryAt: (writes: number, retryAfterMs?: number) => number,
  lastSave?: { code: number | null; message: string },
): Processed | null {
  switch (rc.state) {
    case 'applied':
      return { sent: false, recorded: { status: 'succeeded', code: lastSave?.code ?? null, message: lastSave ? `applied (reply lost: ${lastSave.message}; confirmed by ${rc.via})` : `applied (confirmed by ${rc.via} after an unfinished attempt)`, writes, reconciles } };
    case 'not_applied':
      return null;
    case 'halt':
      return { sent: false, haltReason: describeCode(rc.code, rc.message), recorded: { status: 'pending', code: rc.code, message: rc.message, writes, reconciles, delayMs: 0, needsReconcile: true } };
    case 'unknown': {
      const message = `could not confirm the last write with PracticeGet${rc.evidence.practiceList ? ' or PracticeList' : ''}: ${describeCode(rc.code, rc.message)}`;
      if (a.reconciles + reconciles >= ctx.maxAttempts) {
        const evidence = { ...(lastSave ? { write: { code: lastSave.code, message: lastSave.message } } : {}), ...rc.evidence, looks: a.reconciles + reconciles };
        return { sent: false, recorded: { status: 'needs_review', code: rc.code, message: `needs review: ${message}; whether Updox holds this write is unknown`, writes, reconciles, evidence } };
      }
      return {
        sent: false,
        recorded: {
          status: 'pending', code: rc.code, message, writes, reconciles, delayMs: retryAt(Math.max(writes, 1), rc.retryAfterMs), needsReconcile: true,
          ...(lastSave ? { evidence: { write: { code: lastSave.code, message: lastSave.message } } } : {}),
        },
      };
    }
  }
}
