/**
 * Lost create replies (issue 14): the create's reply never arrives, and PracticeGet then answers
 * each configured "not found" code, or one nobody expects. The practice ends created exactly once
 * (confirmed or re-sent), or `needs_review` with the evidence, shown by `run RUN`; never a silent
 * failure. Real Postgres, Redis, the simulator over HTTP and the real client.
 */
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../src/app';
import { formatActions, formatRun } from '../../../src/cli/run';
import { buildReport } from '../../../src/reports/model';
import { currentPeriod } from '../../../src/reports/period';
import { getRun } from '../../../src/runs';
import { actionCounts, listActions } from '../../../src/sync/actions';
import { applyRun, type ApplyOptions } from '../../../src/sync/apply';
import { createPlannedRun, insertActions, practice, simCounters, simPost, simPractices, type Harness, useHarness } from './apply-helpers';

let h: Harness;
useHarness((x) => { h = x; });

const opts = (runId: string): ApplyOptions => ({ runId, workerId: 'w1', concurrency: 2, leaseMs: 2_000, pollMs: 20, backoff: { baseMs: 5, capMs: 20 } });
const withUpdox = (patch: Partial<AppDeps['config']['updox']>): AppDeps => ({ ...h.app.deps, config: { ...h.app.deps.config, updox: { ...h.app.deps.config.updox, ...patch } } });

async function lostCreate(faults: unknown[], deps: AppDeps = h.app.deps) {
  const runId = await createPlannedRun(h.db);
  const p = practice(1, 0, 'lr-');
  await insertActions(h.db, runId, [p], 'create');
  await simPost(h.sim, '/_sim/faults', { faults });
  const res = await applyRun(deps, h.client, opts(runId));
  await simPost(h.sim, '/_sim/faults', { faults: [] });
  const [row] = await listActions(h.db, runId);
  return { runId, p, res, row: row!, writes: (await simCounters(h.sim)).writesByAccount[p.accountId] ?? 0, held: (await simPractices(h.sim)).get(p.accountId) };
}

describe('a lost create reply', () => {
  it.each([4131, 4011])('PracticeGet answering the configured not-found code %i: re-sent, created exactly once', async (code) => {
    // The reset drops the create before the simulator applies it; PracticeGet then says "not found" with `code`.
    const r = await lostCreate([{ method: 'PracticeSave', kind: 'reset', count: 1 }, { method: 'PracticeGet', kind: 'envelope', code, count: 1 }]);
    expect(r.row).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(r.writes).toBe(1);
    expect(r.held).toMatchObject({ name: r.p.name, active: true });
  });

  it('a code that is not configured as not-found is inconclusive: PracticeList shows the create landed, no second write', async () => {
    const r = await lostCreate([{ method: 'PracticeSave', kind: 'lost', count: 1 }, { method: 'PracticeGet', kind: 'envelope', code: 4000, count: 1 }]);
    expect(r.row).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(r.row.message).toMatch(/reply lost.*confirmed by PracticeList/);
    expect(r.writes).toBe(1);
  });

  it('PracticeList shows it absent: re-sent once, created exactly once', async () => {
    const r = await lostCreate([{ method: 'PracticeSave', kind: 'reset', count: 1 }, { method: 'PracticeGet', kind: 'envelope', code: 4000, count: 1 }]);
    expect(r.row).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(r.writes).toBe(1);
  });

  it('neither PracticeGet nor PracticeList can tell: needs_review with the evidence, shown by run RUN, never failed', async () => {
    const r = await lostCreate([
      { method: 'PracticeSave', kind: 'lost', count: 1 },
      { method: 'PracticeGet', kind: 'envelope', code: 4000, count: 100 },
      { method: 'PracticeList', kind: 'envelope', code: 5000, count: 100 },
    ]);
    expect(r.row.status).toBe('needs_review');
    expect(r.writes).toBe(1); // never written again while its outcome is unknown
    expect(r.res).toMatchObject({ needsReview: 1, failed: 0 });
    expect(r.row.evidence).toMatchObject({
      write: { code: null }, practiceGet: { outcome: 'permanent', code: 4000 }, practiceList: { outcome: 'retryable', code: 5000 }, looks: h.config.sync.maxAttempts,
    });
    const run = (await getRun(h.db, r.runId))!;
    expect(run.status).toBe('completed_with_errors');
    expect(formatRun(run, await actionCounts(h.db, r.runId))).toContain(`NEEDS REVIEW: 1 write whose reply was lost`);
    expect(formatActions([r.row])).toMatch(/needs review lr-00001: last write: .*; PracticeGet: permanent 4000 .*; PracticeList: retryable 5000 .*; 6 looks/);

    // The admin report lists it among the practices needing action.
    const now = new Date();
    const built = await buildReport(h.db, {
      kind: 'admin', recipient: { email: 'ops@partner.example', name: 'Ops' }, partner: { id: 'test-partner', name: 'Test Partner' },
      managers: [], period: currentPeriod('daily', now, 'UTC'), since: new Date(now.getTime() - 86_400_000), previousReport: null, previousFailure: null, now,
      contact: 'Partner operations', businessDaysBetween: () => 0,
    });
    await built.dispose();
    const { model } = built;
    const practiceItem = model.practices.items.find((x) => x.accountId === r.p.accountId);
    expect(practiceItem?.issues.map((i) => i.reason)).toEqual(['SAVE_NEEDS_REVIEW']);
    expect(practiceItem!.issues[0]!.detail).toMatch(/never got Updox's answer.*updox-sync run RUN --status needs_review/);
    expect(model.issueCounts).toMatchObject({ SAVE_NEEDS_REVIEW: 1 });
  });

  it('with the PracticeList fallback off, an unexpected PracticeGet code ends needs_review too', async () => {
    const r = await lostCreate([{ method: 'PracticeSave', kind: 'lost', count: 1 }, { method: 'PracticeGet', kind: 'envelope', code: 4000, count: 100 }], withUpdox({ lostReplyListFallback: false }));
    expect(r.row.status).toBe('needs_review');
    expect(r.row.evidence).not.toHaveProperty('practiceList');
    expect(r.writes).toBe(1);
  });
});
