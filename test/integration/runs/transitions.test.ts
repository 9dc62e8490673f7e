/**
 * The runs module against real Postgres: the source lock agrees with the migration's index, a
 * skipped run names its blocker, dry runs take no lock, a newer plan supersedes older ones (and
 * they are never applied), cancel and resume, takeovers won exactly once, and the hooks metrics read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import {
  approveHeld, asQueryable, beginApply, cancelRun, createRun, decideTakeover, failRun, haltRun, lastSuccessPerSource,
  LOCKING_STATUSES, onRunEvent, recordPlan, resumeRun, runsByStatus, startStep, takeOver, finishApply, type RunRow,
} from '../../../src/runs';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';

let tdb: TestDatabase;
let db: Knex;
beforeAll(async () => { tdb = await createTestDatabase(); db = tdb.db; });
afterAll(async () => { await tdb?.drop(); });
beforeEach(async () => { await db.raw('TRUNCATE runs CASCADE'); });

const sync = (source = 'a', dryRun = false) => ({ kind: 'sync' as const, partnerId: 'p', source, dryRun, trigger: 'test' });

/** A run planned with `n` pending outbox rows. */
async function planned(source = 'a', n = 2): Promise<RunRow> {
  const { run } = await createRun(db, sync(source));
  await db('runs').where({ id: run.id }).update({ import_stats: JSON.stringify({ read: n, valid: n, quarantined: 0 }) });
  await startStep(db, run.id, 'plan', 'test-owner');
  for (let i = 0; i < n; i++) {
    await db('sync_actions').insert({ run_id: run.id, account_id: `${source}-${run.id.slice(0, 4)}-${i}`, op: 'create', payload: '{}', payload_hash: 'h' });
  }
  const fresh = (await db('runs').where({ id: run.id }).first()) as RunRow;
  return (await recordPlan(asQueryable(db), fresh, { planStats: { counts: { create: n } }, held: false, heldReason: null })).run;
}

describe('the source lock', () => {
  it('is the migration\'s partial unique index, over exactly LOCKING_STATUSES, leaving dry runs out', async () => {
    const { rows } = await db.raw("SELECT indexdef FROM pg_indexes WHERE indexname = 'runs_one_active_per_source'");
    const def = (rows as { indexdef: string }[])[0]!.indexdef;
    const listed = [...def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...LOCKING_STATUSES].sort());
    expect(def).toMatch(/NOT dry_run/);
  });

  it('records a second run as skipped, naming the blocking run, its status and age, and how to resolve it', async () => {
    const first = await createRun(db, sync());
    await startStep(db, first.run.id, 'import', 'someone');
    const second = await createRun(db, sync());
    expect(second.skipped).toBe(true);
    expect(second.blocker?.id).toBe(first.run.id);
    expect(second.run).toMatchObject({ status: 'skipped', error_code: 'RUN_IN_PROGRESS' });
    expect(second.run.error_message).toContain(`run ${first.run.id} (importing, started `);
    expect(second.run.error_message).toContain(`updox-sync cancel ${first.run.id}`);
  });

  it('takes no lock for a dry run, and a dry plan ends previewed without superseding anything', async () => {
    const real = await planned('a');
    const dry = await createRun(db, sync('a', true));
    expect(dry.skipped).toBe(false);
    const lockHolder = await createRun(db, sync('b'));
    await startStep(db, lockHolder.run.id, 'import', 'x');
    expect((await createRun(db, sync('b', true))).skipped).toBe(false);
    await db('runs').where({ id: dry.run.id }).update({ import_stats: '{}' });
    const fresh = (await db('runs').where({ id: dry.run.id }).first()) as RunRow;
    const r = await recordPlan(asQueryable(db), fresh, { planStats: { counts: {} }, held: true, heldReason: 'would hold' });
    expect(r.run.status).toBe('previewed');
    expect(r.run.finished_at).not.toBeNull();
    expect(r.superseded).toEqual([]);
    expect((await db('runs').where({ id: real.id }).first()).status).toBe('planned');
  });
});

describe('only the newest plan is applied', () => {
  it('supersedes an older planned run when a newer run plans, cancelling its outbox, and refuses to apply it', async () => {
    const old = await planned('a');
    const newer = await planned('a');
    const o = (await db('runs').where({ id: old.id }).first()) as RunRow;
    expect(o).toMatchObject({ status: 'superseded', superseded_by: newer.id, error_code: 'RUN_SUPERSEDED' });
    const actions = await db('sync_actions').where({ run_id: old.id }).pluck('status');
    expect(actions).toEqual(['cancelled', 'cancelled']);
    expect((await beginApply(db, old.id, 'w')).ok).toBe(false);
    expect((await beginApply(db, newer.id, 'w')).ok).toBe(true);
  });

  it('supersedes at apply time a plan older than one that planned (the supersede missed at plan time)', async () => {
    const old = await planned('a');
    // A newer run whose plan is in place while the old one still reads planned (e.g. written before this rule).
    const { run: newer } = await createRun(db, sync('a'));
    await db('runs').where({ id: newer.id }).update({ import_stats: '{}' });
    await startStep(db, newer.id, 'plan', 'x');
    await db.raw("UPDATE runs SET plan_stats = '{}' WHERE id = ?", [newer.id]);
    await recordPlan(asQueryable(db), { ...(await db('runs').where({ id: newer.id }).first()), created_at: new Date(0) } as RunRow, { planStats: {}, held: false, heldReason: null });
    const begun = await beginApply(db, old.id, 'w');
    expect(begun).toMatchObject({ ok: false, reason: 'superseded' });
    expect((await db('runs').where({ id: old.id }).first()).status).toBe('superseded');
  });

  it('lets an older plan wait while a newer run of the source holds the lock', async () => {
    const old = await planned('a');
    const { run: newer } = await createRun(db, sync('a'));
    await startStep(db, newer.id, 'import', 'x');
    const begun = await beginApply(db, old.id, 'w');
    expect(begun).toMatchObject({ ok: false, reason: 'blocked' });
    expect((await db('runs').where({ id: old.id }).first()).status).toBe('planned');
    await failRun(db, newer.id, { code: 'IMPORT_EMPTY', message: 'empty' });
    expect((await beginApply(db, old.id, 'w')).ok).toBe(true);
  });

  it('refuses to approve a held run a newer plan superseded', async () => {
    const { run } = await createRun(db, sync('a'));
    await startStep(db, run.id, 'plan', 'x');
    const held = (await recordPlan(asQueryable(db), (await db('runs').where({ id: run.id }).first()) as RunRow, { planStats: {}, held: true, heldReason: 'big' })).run;
    expect(held.status).toBe('held');
    await planned('a');
    await expect(approveHeld(db, held.id, 'dana')).rejects.toMatchObject({ code: 'RUN_NOT_HELD' });
  });
});

describe('operator commands', () => {
  it('cancel stops a run, cancels its pending rows and records who; a second cancel is refused', async () => {
    const run = await planned('a', 3);
    await beginApply(db, run.id, 'w');
    const firstId = await db('sync_actions').where({ run_id: run.id }).min('id as id').first();
    await db('sync_actions').where({ id: firstId!.id }).update({ status: 'in_flight', claimed_by: 'w:1' });
    const { run: c, cancelledActions } = await cancelRun(db, run.id, 'dana');
    expect(c).toMatchObject({ status: 'cancelled', cancelled_by: 'dana', error_code: 'RUN_CANCELLED', owner: null });
    expect(cancelledActions).toBe(2);
    expect((await db('sync_actions').where({ run_id: run.id }).pluck('status')).sort()).toEqual(['cancelled', 'cancelled', 'in_flight']);
    await expect(cancelRun(db, run.id, 'dana')).rejects.toMatchObject({ code: 'RUN_FINISHED' });
  });

  it('resume brings a halted run back to planned; refuses a working run and a stale one', async () => {
    const run = await planned('a');
    await beginApply(db, run.id, 'w');
    await expect(resumeRun(db, run.id, 'dana')).rejects.toMatchObject({ code: 'RUN_NOT_PAUSED' });
    await haltRun(db, run.id, '4010 credentials', 'UPDOX_HALT');
    const resumed = await resumeRun(db, run.id, 'dana');
    expect(resumed).toMatchObject({ status: 'planned', halt_reason: null, takeovers: 1, releases: 1 });
    expect((await beginApply(db, run.id, 'w2')).ok).toBe(true);
    await haltRun(db, run.id, 'again');
    await planned('a');
    // The newer plan superseded the halted one; nothing is left to resume.
    await expect(resumeRun(db, run.id, 'dana')).rejects.toMatchObject({ code: 'RUN_FINISHED' });
  });
});

describe('takeovers', () => {
  it('are won by exactly one of two racing supervisors, and only once the lease expired', async () => {
    const { run } = await createRun(db, { ...sync(), owner: 'job-x:elsewhere:1:abc', leaseMs: 60_000 });
    expect(await takeOver(db, run.id, 's1', 1000)).toBeUndefined();
    await db('runs').where({ id: run.id }).update({ lease_expires_at: db.raw("now() - interval '1 second'") });
    const [a, b] = await Promise.all([takeOver(db, run.id, 's1', 1000), takeOver(db, run.id, 's2', 1000)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect((a ?? b)!.takeovers).toBe(1);
  });

  it('decide from the last completed step, and give up past the limit', () => {
    const base = { kind: 'sync' as const, step: null, import_stats: null, takeovers: 1 };
    expect(decideTakeover({ ...base, status: 'importing' }, 5)).toEqual({ action: 'resume', from: 'import' });
    expect(decideTakeover({ ...base, status: 'importing', import_stats: { read: 1, valid: 1, quarantined: 0 } }, 5)).toEqual({ action: 'resume', from: 'plan' });
    expect(decideTakeover({ ...base, status: 'planning' }, 5)).toEqual({ action: 'resume', from: 'plan' });
    expect(decideTakeover({ ...base, status: 'planned' }, 5)).toEqual({ action: 'resume', from: 'apply' });
    expect(decideTakeover({ ...base, kind: 'partner', status: 'applying', step: 'numbers' }, 5)).toEqual({ action: 'resume', from: 'numbers' });
    expect(decideTakeover({ ...base, kind: 'import', status: 'importing' }, 5)).toMatchObject({ action: 'fail', code: 'RUN_ABANDONED' });
    expect(decideTakeover({ ...base, status: 'applying', takeovers: 6 }, 5)).toMatchObject({ action: 'fail', code: 'RUN_ABANDONED' });
    // Operator releases start generations too, but are not takeovers: six generations, three of them approvals, are three takeovers.
    expect(decideTakeover({ ...base, status: 'applying', takeovers: 6, releases: 3 }, 5)).toEqual({ action: 'resume', from: 'apply' });
  });
});

describe('what metrics and alerts read', () => {
  it('counts runs by status, finds each source\'s last success, and emits an event on a failure', async () => {
    const events: string[] = [];
    const off = onRunEvent((e) => { events.push(`${e.type}:${e.run.id}`); });
    try {
      const ok = await planned('a', 0);
      await beginApply(db, ok.id, 'w');
      expect(await finishApply(db, ok.id)).toBe('succeeded');
      const { run: bad } = await createRun(db, sync('b'));
      await failRun(db, bad.id, { code: 'IMPORT_EMPTY', message: 'the file is empty' });
      expect(events).toContain(`failed:${bad.id}`);
      expect(events).toContain(`finished:${ok.id}`);
      const byStatus = await runsByStatus(db);
      expect(byStatus).toEqual(expect.arrayContaining([
        { kind: 'sync', status: 'succeeded', dryRun: false, n: 1 }, { kind: 'sync', status: 'failed', dryRun: false, n: 1 },
      ]));
      const last = await lastSuccessPerSource(db);
      expect(last).toEqual([{ kind: 'sync', source: 'a', runId: ok.id, finishedAt: expect.any(Date) }]);
    } finally {
      off();
    }
  });
});
