/**
 * Runs through BullMQ with the workers' supervisor: a run whose owner died is taken over after its
 * lease expires and finished from the outbox; a halted run's job fails in BullMQ with its code and
 * `resume` finishes it; cancel stops sending; schedules lost with Redis are registered again; a plan
 * left `planned` by a lost Redis is superseded by a newer run and never applied.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addReleasedApply, addSourceFlow } from '../../../jobs/flows';
import { jobIdFor, queueFor } from '../../../jobs/queues';
import { missingSchedules, registerSchedules } from '../../../jobs/schedules';
import { superviseOnce, DEFAULT_SUPERVISOR } from '../../../jobs/supervisor';
import { openSyncRun } from '../../../src/pipeline/open';
import { STEP_FNS } from '../../../src/pipeline/definition';
import { cancelRun, getRun, resumeRun, type RunRow } from '../../../src/runs';
import { sleep } from '../../../src/time';
import { FIXTURES } from '../../helpers/env';
import { deleteKeys } from '../../helpers/redis';
import { changedRoster, createFlowHarness, type FlowHarness, resetFlowHarness, waitForRun as waitForRunIn } from './flow-helpers';

let h: FlowHarness;
beforeAll(async () => { h = await createFlowHarness({ schedule: '0 2 * * *', applyConcurrency: 2 }); });
afterAll(async () => { await h?.close(); await deleteKeys(h.prefix); });
beforeEach(async () => resetFlowHarness(h));

const waitForRun = (runId: string, done: (r: RunRow) => boolean, ms?: number) => waitForRunIn(h, runId, done, ms);

/** Import and plan in this process, as a `sync` on another machine would have before it died. */
async function plannedElsewhere(): Promise<string> {
  const owner = 'cli:another-host:4242:deadbeef';
  const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false, owner });
  const ctx = { deps: h.app.deps, runId, owner, log: h.app.deps.log };
  expect((await STEP_FNS.import(ctx)).kind).toBe('next');
  expect((await STEP_FNS.plan(ctx)).kind).toBe('next');
  return runId;
}

const writes = async () => Object.values((await h.admin.counters()).writesByAccount);

describe('the supervisor', () => {
  it('takes over a run whose owner died once its lease expires, and finishes it from the outbox', async () => {
    const runId = await plannedElsewhere();
    await h.tdb.db('runs').where({ id: runId }).update({ lease_expires_at: h.tdb.db.raw("now() - interval '1 second'") });
    const w = h.startWorkers();
    try {
      const run = await waitForRun(runId, (r) => r.status === 'succeeded');
      expect(run.takeovers).toBe(1);
      expect(run.owner).toBeNull();
      expect(await writes()).toEqual(Array(10).fill(1));
    } finally {
      await w.close();
    }
  });

  it('fails a halted run\'s job in BullMQ with the halt code, at once; resume then finishes the run', async () => {
    await h.admin.setFaults([{ kind: 'envelope', method: 'PracticeSave', code: 4010 }]);
    const w = h.startWorkers();
    try {
      const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
      await addSourceFlow(h.q, runId);
      const halted = await waitForRun(runId, (r) => r.status === 'halted');
      expect(halted.halt_reason).toMatch(/4010/);
      const job = await queueFor(h.q, 'apply').getJob(jobIdFor('apply', runId));
      for (let i = 0; i < 50 && !(await job!.isFailed()); i++) await sleep(100);
      const failed = await queueFor(h.q, 'apply').getJob(jobIdFor('apply', runId));
      expect(await failed!.getState()).toBe('failed');
      expect(failed!.failedReason).toMatch(/^RUN_HALTED: /);
      expect(failed!.attemptsMade).toBe(1);

      await h.admin.clearFaults();
      const resumed = await resumeRun(h.tdb.db, runId, 'dana');
      await addReleasedApply(h.q, resumed);
      await waitForRun(runId, (r) => r.status === 'succeeded');
      const remote = await h.admin.practices();
      expect(remote).toHaveLength(10);
    } finally {
      await w.close();
    }
  });

  it('fails a job whose payload fails its schema, and a bad-input step, at once with the code (no retries)', async () => {
    const w = h.startWorkers();
    try {
      const bad = await queueFor(h.q, 'plan').add('plan', { runId: 'not-a-uuid' }, { attempts: 5 });
      const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
      writeFileSync(h.roster, '');
      await addSourceFlow(h.q, runId);
      const failedRun = await waitForRun(runId, (r) => r.status === 'failed');
      expect(failedRun.error_code).toMatch(/^IMPORT_/);
      for (let i = 0; i < 50 && !(await (await queueFor(h.q, 'import').getJob(jobIdFor('import', runId)))!.isFailed()); i++) await sleep(100);
      const importJob = (await queueFor(h.q, 'import').getJob(jobIdFor('import', runId)))!;
      expect(importJob.failedReason.startsWith(`${failedRun.error_code}: `)).toBe(true);
      expect(importJob.attemptsMade).toBe(1);
      const payload = (await queueFor(h.q, 'plan').getJob(bad.id!))!;
      expect(await payload.getState()).toBe('failed');
      expect(payload.failedReason).toMatch(/^JOB_PAYLOAD_INVALID: /);
      expect(payload.attemptsMade).toBe(1);
    } finally {
      await w.close();
      writeFileSync(h.roster, readFileSync(path.join(FIXTURES, 'csv/small-clean.csv')));
    }
  });

  it('cancel stops the sending: the rest of the outbox is cancelled and never sent', async () => {
    await h.admin.request('POST', '/_sim/rate-limit', { requestsPerSecond: 0 });
    await h.admin.setFaults([{ kind: 'latency', method: 'PracticeSave', ms: 1_500 }]);
    const w = h.startWorkers({ concurrency: { updox: 1 } });
    try {
      const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
      await addSourceFlow(h.q, runId);
      await waitForRun(runId, (r) => r.status === 'applying');
      await sleep(300);
      await cancelRun(h.tdb.db, runId, 'dana');
      // Calls in flight finish and are recorded; nothing else is sent.
      let outbox: { status: string }[] = [];
      for (let i = 0; i < 60; i++) {
        outbox = await h.tdb.db('sync_actions').where({ run_id: runId }).select('status');
        if (!outbox.some((a) => a.status === 'in_flight' || a.status === 'pending')) break;
        await sleep(100);
      }
      expect(outbox.filter((a) => a.status === 'in_flight' || a.status === 'pending')).toEqual([]);
      await sleep(500);
      const sent = (await writes()).length;
      expect(sent).toBeLessThan(10);
      expect(outbox.filter((a) => a.status === 'cancelled')).toHaveLength(10 - sent);
      expect(outbox.filter((a) => a.status === 'succeeded')).toHaveLength(sent);
      expect((await getRun(h.tdb.db, runId))).toMatchObject({ status: 'cancelled', cancelled_by: 'dana' });
    } finally {
      await w.close();
      await h.admin.clearFaults();
    }
  });

  it('registers the schedules from config again when Redis lost them', async () => {
    await registerSchedules(h.app.deps, h.q);
    expect(await missingSchedules(h.app.deps, h.q)).toEqual([]);
    await deleteKeys(h.prefix);
    expect((await missingSchedules(h.app.deps, h.q)).sort()).toEqual(['nightly:small', 'numbers-pull', 'partner']);
    const tick = await superviseOnce(h.app.deps, h.q, DEFAULT_SUPERVISOR);
    expect(tick.schedulesRestored).toBe(3);
    expect(await missingSchedules(h.app.deps, h.q)).toEqual([]);
    const nightly = await queueFor(h.q, 'nightly').getJobScheduler('nightly:small');
    expect(nightly).toMatchObject({ pattern: '0 2 * * *' });
  });

  it('never applies a plan a lost Redis left planned once a newer run planned: the simulator ends with the newer values', async () => {
    const stale = await plannedElsewhere(); // planned; its apply job lost with Redis
    writeFileSync(h.roster, changedRoster(h.roster, 'P001', 'Riverside Pediatrics North', '(614) 555-0177'));
    const w = h.startWorkers();
    try {
      const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
      await addSourceFlow(h.q, runId);
      await waitForRun(runId, (r) => r.status === 'succeeded');
      // The supervisor has had its ticks: the stale run is superseded, not taken over.
      await h.tdb.db('runs').where({ id: stale }).update({ lease_expires_at: h.tdb.db.raw("now() - interval '1 second'") });
      await w.supervisor!.tick();
      const old = await getRun(h.tdb.db, stale);
      expect(old).toMatchObject({ status: 'superseded', superseded_by: runId });
      expect(await h.tdb.db('sync_actions').where({ run_id: stale }).whereNot({ status: 'cancelled' }).count('* as n').first()).toMatchObject({ n: '0' });
      const p001 = (await h.admin.practices()).find((p) => p.accountId === 'tp-P001');
      expect(p001).toMatchObject({ name: 'Riverside Pediatrics North', phone: '6145550177' });
      expect(await writes()).toEqual(Array(10).fill(1));
    } finally {
      await w.close();
    }
  }, 120_000);
});
