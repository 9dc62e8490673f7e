/**
 * Crash safety: a worker PROCESS (apply-child.ts: real Postgres, Redis, simulator, client) is
 * SIGKILLed at named instants, then a new process resumes from the outbox. Afterwards every
 * practice holds its payload at the simulator, no account was written more than twice if its row
 * was in flight at the kill, and exactly once otherwise.
 */
import { describe, expect, it } from 'vitest';
import {
  createPlannedRun, insertActions, payloadDifferences, practice, simCounters, simPost, simPractices,
  spawnChild, waitFor, type Harness,
  useHarness,
} from './apply-helpers';

let h: Harness;
useHarness((x) => { h = x; });

const N_CREATE = 100;
const N_UPDATE = 20;

async function plannedRun(): Promise<{ runId: string; payloads: ReturnType<typeof practice>[] }> {
  const seeded = Array.from({ length: N_UPDATE }, (_, i) => practice(N_CREATE + i));
  await simPost(h.sim, '/_sim/seed', { practices: seeded });
  const runId = await createPlannedRun(h.db);
  const creates = Array.from({ length: N_CREATE }, (_, i) => practice(i));
  const updates = seeded.map((_, i) => practice(N_CREATE + i, 1));
  await insertActions(h.db, runId, creates, 'create');
  await insertActions(h.db, runId, updates, 'update');
  return { runId, payloads: [...creates, ...updates] };
}

/** Runs a killed worker then a resuming one; checks the end state; returns the in-flight set. */
async function crashAndResume(runId: string, payloads: ReturnType<typeof practice>[], kill: { env?: Record<string, string>; killWhen?: () => Promise<boolean> }) {
  const first = spawnChild({ ...h.childEnv, APPLY_RUN_ID: runId, APPLY_WORKER_ID: 'victim', ...kill.env });
  if (kill.killWhen) {
    await waitFor(kill.killWhen, 30_000, 5);
    first.child.kill('SIGKILL');
  }
  const dead = await first.done;
  expect(dead.signal, dead.stderr).toBe('SIGKILL');
  const inFlight = new Set((await h.db('sync_actions').where({ run_id: runId, status: 'in_flight' }).select('account_id')).map((r) => r.account_id as string));
  const before = await h.db('sync_actions').where({ run_id: runId, status: 'succeeded' }).count<{ n: string }[]>({ n: '*' });

  const second = spawnChild({ ...h.childEnv, APPLY_RUN_ID: runId, APPLY_WORKER_ID: 'rescuer' });
  const ok = await second.done;
  expect(ok.code, ok.stderr).toBe(0);
  const result = JSON.parse(ok.stdout.trim().split('\n').pop()!);
  expect(result.status).toBe('succeeded');

  const run = await h.db('runs').where({ id: runId }).first();
  expect(run.status).toBe('succeeded');
  const statuses = await h.db('sync_actions').where({ run_id: runId }).select('status');
  expect(statuses.every((s) => s.status === 'succeeded')).toBe(true);

  const remote = await simPractices(h.sim);
  expect(remote.size).toBe(N_CREATE + N_UPDATE);
  for (const p of payloads) expect(payloadDifferences(remote.get(p.accountId)!, p), p.accountId).toEqual([]);
  const ours = await h.db('practices').count<{ n: string }[]>({ n: '*' });
  expect(Number(ours[0]!.n)).toBe(N_CREATE + N_UPDATE);

  const writes = (await simCounters(h.sim)).writesByAccount;
  for (const p of payloads) {
    const n = writes[p.accountId] ?? 0;
    if (inFlight.has(p.accountId)) expect(n, p.accountId).toBeLessThanOrEqual(2);
    else expect(n, p.accountId).toBe(1);
    expect(n, p.accountId).toBeGreaterThanOrEqual(1);
  }
  return { inFlight, succeededBeforeRestart: Number(before[0]!.n), result };
}

describe('apply survives SIGKILL', () => {
  it('after claiming an action, before its call', async () => {
    const { runId, payloads } = await plannedRun();
    const r = await crashAndResume(runId, payloads, { env: { UPDOX_SYNC_TEST_KILL_POINT: 'before_send', UPDOX_SYNC_TEST_KILL_AFTER: '30' } });
    expect(r.inFlight.size).toBeGreaterThan(0);
    expect(r.result.reconcileReads).toBeGreaterThanOrEqual(r.inFlight.size);
  });

  it('after the call, before recording its result', async () => {
    const { runId, payloads } = await plannedRun();
    const r = await crashAndResume(runId, payloads, { env: { UPDOX_SYNC_TEST_KILL_POINT: 'after_send', UPDOX_SYNC_TEST_KILL_AFTER: '45' } });
    expect(r.inFlight.size).toBeGreaterThan(0);
    // At least the action whose reply was in hand at the kill was applied and is confirmed by PracticeGet, not re-sent.
    expect(r.result.reconciledApplied).toBeGreaterThanOrEqual(1);
  });

  it('right after recording (between actions)', async () => {
    const { runId, payloads } = await plannedRun();
    await crashAndResume(runId, payloads, { env: { UPDOX_SYNC_TEST_KILL_POINT: 'recorded', UPDOX_SYNC_TEST_KILL_AFTER: '60' } });
  });

  it('mid-batch, at an arbitrary instant chosen from outside', async () => {
    const { runId, payloads } = await plannedRun();
    const r = await crashAndResume(runId, payloads, {
      killWhen: async () => {
        const [c] = await h.db('sync_actions').where({ run_id: runId, status: 'succeeded' }).count<{ n: string }[]>({ n: '*' });
        return Number(c!.n) >= 50;
      },
    });
    expect(r.succeededBeforeRestart).toBeGreaterThanOrEqual(50);
    expect(r.succeededBeforeRestart).toBeLessThan(N_CREATE + N_UPDATE);
  });

  it('mid-plan (inside the plan transaction), then plan and apply again', async () => {
    const N = 3_000;
    const [run] = await h.db('runs').insert({
      kind: 'sync', partner_id: 'test-partner', source: 'small', status: 'importing', trigger: 'test',
      import_stats: JSON.stringify({ read: N, valid: N, quarantined: 0 }),
      managed_fields: ['name', 'address1', 'city', 'state', 'postal', 'phone', 'timeZone', 'websiteUrl'],
    }).returning('id');
    const runId = (run as { id: string }).id;
    const roster = Array.from({ length: N }, (_, i) => practice(i, 0, 'tp-'));
    for (let i = 0; i < N; i += 1000) {
      await h.db('roster_rows').insert(roster.slice(i, i + 1000).map((p, j) => ({
        run_id: runId, row_number: i + j + 2, external_id: p.accountId.slice(3), account_id: p.accountId,
        name: p.name, address1: p.address1, city: p.city, state: p.state, postal: p.postal, phone: p.phone,
        time_zone: p.timeZone, website_url: p.websiteUrl, manager_email: 'priya@partner.example',
      })));
    }
    const env = { ...h.childEnv, APPLY_RUN_ID: runId, APPLY_MODE: 'sync' };
    const first = spawnChild({ ...env, APPLY_WORKER_ID: 'victim' });
    // Kill while the plan transaction runs (seen from Postgres itself: it holds the run row).
    let exited: string | null = null;
    void first.done.then((r) => { exited = `${r.code} ${r.signal} ${r.stderr.slice(-2000)}`; });
    await waitFor(async () => {
      if (exited) throw new Error(`the worker ended before the plan was seen: ${exited}`);
      // The plan transaction holds the run row (SELECT … FOR UPDATE) until it commits.
      try {
        await h.db.raw('SELECT 1 FROM runs WHERE id = ? FOR UPDATE NOWAIT', [runId]);
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') return true;
        throw err;
      }
    }, 30_000, 2);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // The plan is one transaction: nothing of it is left, nothing was sent.
    expect((await h.db('runs').where({ id: runId }).first()).status).toBe('planning');
    expect(await h.db('sync_actions').where({ run_id: runId }).count('* as n').first()).toMatchObject({ n: '0' });
    expect((await simCounters(h.sim)).writesByAccount).toEqual({});

    const second = await spawnChild({ ...env, APPLY_WORKER_ID: 'rescuer' }).done;
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'succeeded', succeeded: N });
    const actions = await h.db('sync_actions').where({ run_id: runId }).select('account_id', 'op', 'payload');
    expect(actions).toHaveLength(N);
    const remote = await simPractices(h.sim);
    for (const a of actions) expect(payloadDifferences(remote.get(a.account_id)!, a.payload), a.account_id).toEqual([]);
    for (const p of roster.slice(0, 50)) expect(remote.get(p.accountId)).toMatchObject({ name: p.name, websiteUrl: p.websiteUrl });
    const writes = (await simCounters(h.sim)).writesByAccount;
    expect(Object.keys(writes)).toHaveLength(N);
    expect(Object.values(writes).every((n) => n === 1)).toBe(true);
  }, 120_000);
});
