/**
 * Two flows of one run must never both work on it. A run opened for a flow is leased to its
 * opener, so the supervisor leaves it alone while its flow is being enqueued; and when a takeover
 * did enqueue a newer generation of its jobs, the older generation's jobs start nothing. Two
 * attempts importing one run at once take turns, so the run's roster is staged once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addSourceFlow } from '../../../jobs/flows';
import { jobIdFor, queueFor } from '../../../jobs/queues';
import { superviseOnce, DEFAULT_SUPERVISOR } from '../../../jobs/supervisor';
import { findSource } from '../../../src/nightly/source';
import { openSyncRun } from '../../../src/pipeline/open';
import { importRoster } from '../../../src/roster/import';
import { getRun, startStep, type RunRow } from '../../../src/runs';
import { sleep } from '../../../src/time';
import { deleteKeys } from '../../helpers/redis';
import { createFlowHarness, type FlowHarness, resetFlowHarness, waitForRun as waitForRunIn } from './flow-helpers';

let h: FlowHarness;
beforeAll(async () => { h = await createFlowHarness(); });
afterAll(async () => { await h?.close(); await deleteKeys(h.prefix); });
beforeEach(async () => resetFlowHarness(h));

const waitForRun = (runId: string, done: (r: RunRow) => boolean, ms?: number) => waitForRunIn(h, runId, done, ms);

const stagedRows = async (runId: string) =>
  Number(((await h.tdb.db('roster_rows').where({ run_id: runId }).count('* as n').first()) as { n: string }).n);

describe('generations of a run\'s jobs', () => {
  it('a run opened for a flow is not taken over before its flow is enqueued', async () => {
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    const tick = await superviseOnce(h.app.deps, h.q, DEFAULT_SUPERVISOR);
    expect(tick.resumed).not.toContain(runId);
    const run = await getRun(h.tdb.db, runId);
    expect(run).toMatchObject({ status: 'queued', takeovers: 0 });
    expect(run?.owner).toMatch(/^open:/);
  });

  it('the jobs of a flow a takeover replaced start nothing: the run is imported and applied once', async () => {
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    // The opener's lease runs out before its flow is enqueued: the supervisor enqueues generation 1.
    await h.tdb.db('runs').where({ id: runId }).update({ lease_expires_at: h.tdb.db.raw("now() - interval '1 second'") });
    const tick = await superviseOnce(h.app.deps, h.q, DEFAULT_SUPERVISOR);
    expect(tick.resumed).toEqual([runId]);
    // Then the opener's own flow (generation 0) arrives as well.
    await addSourceFlow(h.q, runId);
    const w = h.startWorkers();
    try {
      const run = await waitForRun(runId, (r) => r.status === 'succeeded' || r.status === 'failed');
      expect({ status: run.status, error: run.error_code }).toEqual({ status: 'succeeded', error: null });
      expect(run.takeovers).toBe(1);
      expect(await stagedRows(runId)).toBe(10);
      const writes = Object.values((await h.admin.counters()).writesByAccount);
      expect(writes).toEqual(Array(10).fill(1));
      // Generation 0's import job ran and stopped without starting the step.
      const old = await queueFor(h.q, 'import').getJob(jobIdFor('import', runId));
      for (let i = 0; i < 50 && !(await old!.isCompleted()); i++) await sleep(100);
      const done = (await queueFor(h.q, 'import').getJob(jobIdFor('import', runId)))!;
      expect(done.returnvalue).toMatchObject({ outcome: 'stopped' });
    } finally {
      await w.close();
    }
  });

  it('refuses a step to a job of an older generation', async () => {
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    await h.tdb.db('runs').where({ id: runId }).update({ takeovers: 2 });
    expect(await startStep(h.tdb.db, runId, 'import', 'job-a', { generation: 1 } as never)).toBeUndefined();
    expect(await startStep(h.tdb.db, runId, 'import', 'job-b', { generation: 2 } as never)).toMatchObject({ status: 'importing', owner: 'job-b' });
  });

  it('two imports of one run at once stage its roster once', async () => {
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    const source = findSource(h.config, 'small');
    const [a, b] = await Promise.all([importRoster(h.app.deps, { runId, source }), importRoster(h.app.deps, { runId, source })]);
    expect(a.stats.valid).toBe(10);
    expect(b.stats.valid).toBe(10);
    expect(await stagedRows(runId)).toBe(10);
  });

  it('an import whose signal aborts keeps nothing and says so', async () => {
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    const ac = new AbortController();
    ac.abort();
    await expect(importRoster(h.app.deps, { runId, source: findSource(h.config, 'small'), signal: ac.signal }))
      .rejects.toMatchObject({ code: 'IMPORT_INTERRUPTED', kind: 'retryable' });
    expect(await stagedRows(runId)).toBe(0);
    expect((await getRun(h.tdb.db, runId))?.import_stats).toBeNull();
  });
});
