/**
 * SIGTERM's path (RunningWorkers.close, what `updox-sync worker` calls on the signal) stops every
 * step within seconds, the numbers pull included, and leaves no outbox row claimed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSyncRun } from '../../../src/pipeline/open';
import { openPartnerRunIfDue } from '../../../src/pipeline/partner-steps';
import { addSourceFlow, enqueueRunSteps } from '../../../jobs/flows';
import { attemptId, getRun } from '../../../src/runs';
import { sleep } from '../../../src/time';
import { deleteKeys } from '../../helpers/redis';
import { createFlowHarness, type FlowHarness } from './flow-helpers';

let h: FlowHarness;
beforeAll(async () => { h = await createFlowHarness({ rps: 500 }); });
afterAll(async () => { await h?.close(); await deleteKeys(h.prefix); });
beforeEach(async () => {
  await h.admin.request('POST', '/_sim/reset', {});
  await h.tdb.db.raw('TRUNCATE runs, practices CASCADE');
});

async function waitUntil(ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('shutdown', () => {
  it('stops the numbers pull within seconds (not after the whole pull)', async () => {
    // 400 accounts at 8 calls in flight and 400 ms a call: the whole pull would take 20 s.
    await h.tdb.db('practices').insert(Array.from({ length: 400 }, (_, i) => ({ account_id: `tp-N${i}`, source: 'small', external_id: `N${i}`, active: true })));
    await h.admin.setFaults([{ kind: 'latency', method: 'SmsSendNumberList', ms: 400 }]);
    const w = h.startWorkers({ supervisor: false });
    const run = (await openPartnerRunIfDue(h.app.deps, 'shutdown-night', { owner: attemptId('test'), leaseMs: 10_000, force: true }))!;
    await enqueueRunSteps(h.q, run, 'numbers');
    await waitUntil(async () => ((await h.admin.counters()).requests.SmsSendNumberList ? true : false));
    await sleep(500);
    const t0 = Date.now();
    await w.close();
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(3_000);
    const calls = Object.values((await h.admin.counters()).requests.SmsSendNumberList ?? {}).reduce((a, b) => a + b, 0);
    expect(calls).toBeLessThan(100);
    // The run waits for a worker: still leased, in its numbers step.
    expect(await getRun(h.tdb.db, run.id)).toMatchObject({ status: 'applying', step: 'numbers' });
    await h.admin.clearFaults();
  });

  it('stops an apply within seconds and leaves no outbox row claimed', async () => {
    await h.admin.setFaults([{ kind: 'latency', method: 'PracticeSave', ms: 400 }]);
    const w = h.startWorkers({ supervisor: false });
    const { runId } = await openSyncRun(h.app.deps, { source: 'small', trigger: 'test', dryRun: false });
    await addSourceFlow(h.q, runId);
    await waitUntil(async () => (await h.tdb.db('sync_actions').where({ run_id: runId, status: 'in_flight' }).first()) !== undefined);
    const t0 = Date.now();
    await w.close();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await h.tdb.db('sync_actions').where({ run_id: runId, status: 'in_flight' }).count('* as n').first()).toMatchObject({ n: '0' });
    expect((await getRun(h.tdb.db, runId))?.status).toBe('applying');
    await h.admin.clearFaults();
  });
});
