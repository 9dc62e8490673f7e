import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeField } from '../../../src/practice';
import { planRun } from '../../../src/sync/plan';
import { approveRun } from '../../../src/sync/approve';
import { payloadHash } from '../../../src/sync/merge';
import { getRun } from '../../../src/runs';
import {
  accountOf, actions, addPractice, addRemote, addRoster, createPlanTestApp, createRun, finishRun, payloadOf, practice,
  type PlanTestApp,
} from './plan-helpers';

let t: PlanTestApp;
beforeAll(async () => {
  t = await createPlanTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Each test gets practices of its own (external ids prefixed) and closes its run, like a real sequence of runs. */
async function scenario(prefix: string, o: { managed?: PracticeField[]; dryRun?: boolean } = {}) {
  const runId = await createRun(t.deps.db, { ...o, source: prefix });
  const id = (n: number | string) => `${prefix}-${n}`;
  return { runId, id, acct: (n: number | string) => accountOf(id(n)), src: prefix, source: { ...t.source, name: prefix } };
}

describe('planRun', () => {
  it('plans nothing when roster, practices and Updox agree (idempotence)', async () => {
    const { runId, id, acct, src, source } = await scenario('idem');
    for (let n = 1; n <= 5; n++) {
      await addPractice(t.deps.db, { source: src, externalId: id(n), values: practice(n) });
      await addRemote(t.deps.db, runId, acct(n), practice(n));
    }
    await addRoster(t.deps.db, runId, [1, 2, 3, 4, 5].map((n) => ({ externalId: id(n), values: practice(n, { active: null }) })));
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts).toMatchObject({ create: 0, update: 0, deactivate: 0, reactivate: 0, unchanged: 5, conflicts: 0 });
    expect(await actions(t.deps.db, runId)).toHaveLength(0);
    const run = await getRun(t.deps.db, runId);
    expect(run?.status).toBe('planned');
    expect((run?.plan_stats as { counts: { unchanged: number }; durationMs: number }).counts.unchanged).toBe(5);
    await finishRun(t.deps.db, runId);
  });

  it('sets proven-equal practices aside on the next plan, and goes back to the merge for one whose columns changed since', async () => {
    const { runId, id, acct, src, source } = await scenario('digest');
    for (let n = 1; n <= 4; n++) {
      await addPractice(t.deps.db, { source: src, externalId: id(n), values: practice(n) });
      await addRemote(t.deps.db, runId, acct(n), practice(n));
    }
    await addRoster(t.deps.db, runId, [1, 2, 3, 4].map((n) => ({ externalId: id(n), values: practice(n, { active: null }) })));
    const first = await planRun(t.deps, { runId, source });
    expect(first.counts).toMatchObject({ unchanged: 4, setAside: 0 }); // no digests yet: all through the merge
    const second = await planRun(t.deps, { runId, source });
    expect(second.counts).toMatchObject({ unchanged: 4, setAside: 4 });
    // A save rewrites practice 2 (as apply does) and Updox now has the new phone too: the trigger
    // clears its digests, so the plan merges it again (still unchanged) and stores them anew.
    await t.deps.db('practices').where({ account_id: acct(2) }).update({ phone: '6145557777' });
    await t.deps.db('remote_snapshots').where({ run_id: runId, account_id: acct(2) }).update({ phone: '6145557777', digest: null });
    await t.deps.db('roster_rows').where({ run_id: runId, external_id: id(2) }).update({ phone: '6145557777' });
    const digests = await t.deps.db('practices').where({ account_id: acct(2) }).first('digest', 'roster_digest');
    expect(digests).toEqual({ digest: null, roster_digest: null });
    const third = await planRun(t.deps, { runId, source });
    expect(third.counts).toMatchObject({ unchanged: 4, update: 0, setAside: 3 });
    // A changed roster row with a stale digest can never be set aside: the roster hash differs.
    await t.deps.db('roster_rows').where({ run_id: runId, external_id: id(3) }).update({ name: 'Renamed In Roster' });
    const fourth = await planRun(t.deps, { runId, source });
    expect(fourth.counts).toMatchObject({ unchanged: 3, update: 1, setAside: 2 });
    expect((await actions(t.deps.db, runId)).map((a) => a.account_id)).toEqual([acct(3)]);
    await finishRun(t.deps.db, runId);
  });

  it('keeps a Partner Portal edit: no action when only Updox changed, and the edit travels in a later update', async () => {
    const { runId, id, acct, src, source } = await scenario('portal');
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1) });
    await addRemote(t.deps.db, runId, acct(1), practice(1, { name: 'Renamed In Portal' }));
    await addPractice(t.deps.db, { source: src, externalId: id(2), values: practice(2) });
    await addRemote(t.deps.db, runId, acct(2), practice(2, { name: 'Renamed In Portal 2' }));
    await addRoster(t.deps.db, runId, [
      { externalId: id(1), values: practice(1) },
      { externalId: id(2), values: practice(2, { phone: '6145559999' }) },
    ]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts).toMatchObject({ update: 1, unchanged: 1, conflicts: 0 });
    const [a] = await actions(t.deps.db, runId);
    expect(a!.account_id).toBe(acct(2));
    expect(a!.payload).toEqual(payloadOf(acct(2), practice(2, { name: 'Renamed In Portal 2', phone: '6145559999' })));
    expect(a!.changed_fields).toEqual(['phone']);
    await finishRun(t.deps.db, runId);
  });

  it('keeps a field the mapping does not manage, even when the roster cell is empty', async () => {
    const { runId, id, acct, src, source } = await scenario('unmanaged', { managed: ['name', 'phone'] });
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1, { fax: '6145550000' }) });
    await addRemote(t.deps.db, runId, acct(1), practice(1, { fax: '6145551111' }));
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { fax: null, city: null, phone: '6145552222' }) }]);
    await planRun(t.deps, { runId, source });
    const [a] = await actions(t.deps.db, runId);
    expect(a!.op).toBe('update');
    expect(a!.payload).toEqual(payloadOf(acct(1), practice(1, { fax: '6145551111', phone: '6145552222' })));
    await finishRun(t.deps.db, runId);
  });

  it('clears a mapped empty cell and flags clearing an address or website field', async () => {
    const { runId, id, acct, src, source } = await scenario('clear');
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1) });
    await addRemote(t.deps.db, runId, acct(1), practice(1));
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { city: null, websiteUrl: null }) }]);
    const plan = await planRun(t.deps, { runId, source });
    const [a] = await actions(t.deps.db, runId);
    expect(a!.payload.city).toBeUndefined();
    expect(a!.payload.websiteUrl).toBeUndefined();
    expect(a!.payload.address1).toBe('1 Main St');
    expect(a!.flags).toEqual(['clears_address', 'clears_website']);
    expect(a!.changed_fields).toEqual(['city', 'websiteUrl']);
    expect(plan.counts).toMatchObject({ clearsAddress: 1, clearsWebsite: 1 });
    await finishRun(t.deps.db, runId);
  });

  it('does not read a key PracticeList left out as a clear (the base value stands in)', async () => {
    const { runId, id, acct, src, source } = await scenario('omitted');
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1) });
    await addRemote(t.deps.db, runId, acct(1), practice(1), ['websiteUrl', 'country']);
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { phone: '6145553333' }) }]);
    await planRun(t.deps, { runId, source });
    const [a] = await actions(t.deps.db, runId);
    expect(a!.payload).toEqual(payloadOf(acct(1), practice(1, { phone: '6145553333' })));
    expect(a!.flags).toBeNull();
    await finishRun(t.deps.db, runId);
  });

  it('records a conflict and resolves it by policy, both ways', async () => {
    for (const policy of ['roster-wins', 'remote-wins'] as const) {
      const { runId, id, acct, src, source } = await scenario(`conflict-${policy}`);
      await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1, { name: 'Base' }) });
      await addRemote(t.deps.db, runId, acct(1), practice(1, { name: 'Portal', phone: '6145550011' }));
      await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { name: 'Roster', phone: '6145550012', city: 'Dublin' }) }]);
      const plan = await planRun(t.withConfig({ policy }), { runId, source });
      expect(plan.counts).toMatchObject({ conflicts: 1, conflictFields: 2, update: 1 });
      const [a] = await actions(t.deps.db, runId);
      const side = policy === 'roster-wins' ? 'roster' : 'remote';
      expect(a!.conflicts).toEqual([
        { field: 'name', roster: 'Roster', remote: 'Portal', base: 'Base', resolved: side },
        { field: 'phone', roster: '6145550012', remote: '6145550011', base: practice(1).phone, resolved: side },
      ]);
      if (policy === 'roster-wins') expect(a!.payload).toMatchObject({ name: 'Roster', phone: '6145550012', city: 'Dublin' });
      else expect(a!.payload).toMatchObject({ name: 'Portal', phone: '6145550011', city: 'Dublin' });
      await finishRun(t.deps.db, runId);
    }
  });

  it('creates what Updox lacks, adopts what it has, and records an equal adopted practice without a call', async () => {
    const { runId, id, acct, src, source } = await scenario('adopt');
    await addRemote(t.deps.db, runId, acct('old'), practice(7, { phone: '6145550070' }));
    await addRemote(t.deps.db, runId, acct('same'), practice(8));
    await addRoster(t.deps.db, runId, [
      { externalId: id('new'), values: practice(6, { active: null }), managerEmail: 'priya@partner.example' },
      { externalId: id('old'), values: practice(7) },
      { externalId: id('same'), values: practice(8), managerEmail: 'marcus@partner.example' },
    ]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts).toMatchObject({ create: 1, update: 1, unchanged: 1, adopted: 2 });
    const rows = await actions(t.deps.db, runId);
    const create = rows.find((r) => r.account_id === acct('new'))!;
    expect(create).toMatchObject({ op: 'create', status: 'pending', source: src, manager_email: 'priya@partner.example', external_id: id('new') });
    expect(create.payload).toEqual(payloadOf(acct('new'), practice(6)));
    expect(create.payload.active).toBe('true');
    expect(create.payload_hash).toBe(payloadHash(create.payload));
    expect(rows.find((r) => r.account_id === acct('old'))).toMatchObject({ op: 'update', changed_fields: ['phone'] });
    const adopted = await t.deps.db('practices').where({ account_id: acct('same') }).first();
    expect(adopted).toMatchObject({ source: src, external_id: id('same'), name: 'Clinic 8', manager_email: 'marcus@partner.example' });
    expect(await t.deps.db('practices').where({ account_id: acct('old') }).first()).toBeUndefined(); // apply records it on success
    await finishRun(t.deps.db, runId);
  });

  it('deactivates a practice absent from the roster only when the source is a full roster', async () => {
    for (const fullRoster of [false, true]) {
      const { runId, id, acct, src, source } = await scenario(`gone-${fullRoster}`);
      await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1) });
      await addRemote(t.deps.db, runId, acct(1), practice(1, { fax: '6145550009' }));
      await addPractice(t.deps.db, { source: src, externalId: id(2), values: practice(2) });
      await addRemote(t.deps.db, runId, acct(2), practice(2));
      await addRoster(t.deps.db, runId, [{ externalId: id(2), values: practice(2) }]);
      const plan = await planRun(t.deps, { runId, source: { ...source, fullRoster } });
      const rows = await actions(t.deps.db, runId);
      if (!fullRoster) {
        expect(plan.counts.deactivate).toBe(0);
        expect(rows).toHaveLength(0);
      } else {
        expect(plan.counts.deactivate).toBe(1);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ op: 'deactivate', account_id: acct(1) });
        expect(rows[0]!.payload).toEqual(payloadOf(acct(1), practice(1, { fax: '6145550009', active: false })));
      }
      await finishRun(t.deps.db, runId);
    }
  });

  it('reactivates a practice the roster lists again', async () => {
    const { runId, id, acct, src, source } = await scenario('react');
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1, { active: false }) });
    await addRemote(t.deps.db, runId, acct(1), practice(1, { active: false }));
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { active: null }) }]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts.reactivate).toBe(1);
    const [a] = await actions(t.deps.db, runId);
    expect(a).toMatchObject({ op: 'reactivate' });
    expect(a!.payload.active).toBe('true');
    await finishRun(t.deps.db, runId);
  });

  it('plans a practice again when its last save failed, even if everything agrees', async () => {
    const { runId, id, acct, src, source } = await scenario('retry');
    await addPractice(t.deps.db, { source: src, externalId: id(1), values: practice(1), lastStatus: 'failed' });
    await addRemote(t.deps.db, runId, acct(1), practice(1));
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1) }]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts).toMatchObject({ update: 1, retried: 1 });
    const [a] = await actions(t.deps.db, runId);
    expect(a).toMatchObject({ op: 'update', flags: ['retry_failed'] });
    await finishRun(t.deps.db, runId);
  });

  it('never plans a roster row onto a practice of another source or external id', async () => {
    const { runId, id, acct, source } = await scenario('collide');
    await addPractice(t.deps.db, { externalId: 'someone-else', accountId: acct(1), source: 'other', values: practice(1) });
    await addRemote(t.deps.db, runId, acct(1), practice(1));
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1, { name: 'Not Yours' }) }]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan.counts).toMatchObject({ collision: 1, update: 0, create: 0 });
    expect(await actions(t.deps.db, runId)).toHaveLength(0);
    await finishRun(t.deps.db, runId);
  });

  it('replaces its own plan when run again, and refuses to plan without a snapshot', async () => {
    const { runId, id, source } = await scenario('replan');
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1) }]);
    await planRun(t.deps, { runId, source });
    await planRun(t.deps, { runId, source });
    expect(await actions(t.deps.db, runId)).toHaveLength(1);
    await finishRun(t.deps.db, runId);
    const bare = await createRun(t.deps.db, { snapshot: false, source: 'bare' });
    await expect(planRun(t.deps, { runId: bare, source })).rejects.toMatchObject({ code: 'PLAN_NO_SNAPSHOT' });
    await finishRun(t.deps.db, bare, 'failed');
  });
});

describe('guardrail and approve', () => {
  it('holds a truncated full roster with the reason, and approve releases it', async () => {
    const { runId, id, acct, src, source } = await scenario('trunc');
    for (let n = 1; n <= 40; n++) {
      await addPractice(t.deps.db, { source: src, externalId: id(n), values: practice(n) });
      await addRemote(t.deps.db, runId, acct(n), practice(n));
    }
    await addRoster(t.deps.db, runId, Array.from({ length: 10 }, (_, i) => ({ externalId: id(i + 1), values: practice(i + 1) })));
    const plan = await planRun(t.deps, { runId, source: { ...source, fullRoster: true } });
    expect(plan.held).toBe(true);
    expect(plan.counts).toMatchObject({ deactivate: 30, known: 40 });
    let run = await getRun(t.deps.db, runId);
    expect(run?.status).toBe('held');
    expect(run?.held_reason).toContain('would deactivate 30 of 40 known practices (75%), more than maxDeactivateShare 5%');
    expect(run?.held_reason).toContain('maxChangeShare 25%');
    expect(await actions(t.deps.db, runId)).toHaveLength(30);

    run = await approveRun(t.deps.db, runId, 'dana');
    expect(run).toMatchObject({ status: 'planned', approved_by: 'dana' });
    expect(run.approved_at).toBeInstanceOf(Date);
    await expect(approveRun(t.deps.db, runId, 'dana')).rejects.toMatchObject({ code: 'RUN_NOT_HELD' });
    await finishRun(t.deps.db, runId);
  });

  it('does not hold below minKnownPractices, and holds many updates with the change share', async () => {
    const { runId, id, acct, src, source } = await scenario('wrongmap');
    for (let n = 1; n <= 30; n++) {
      await addPractice(t.deps.db, { source: src, externalId: id(n), values: practice(n) });
      await addRemote(t.deps.db, runId, acct(n), practice(n));
    }
    await addRoster(t.deps.db, runId, Array.from({ length: 30 }, (_, i) => ({ externalId: id(i + 1), values: practice(i + 1, { city: 'Wrong' }) })));
    const lenient = await planRun(t.withConfig({ guardrails: { minKnownPractices: 100 } }), { runId, source });
    expect(lenient.held).toBe(false);
    const strict = await planRun(t.deps, { runId, source });
    expect(strict.held).toBe(true);
    expect(strict.heldReason).toContain('would change 30 of 30 known practices (100%: 30 updates, 0 deactivations, 0 reactivations)');
    await finishRun(t.deps.db, runId);
  });

  it('a dry run writes the actions but cannot be approved', async () => {
    const { runId, id, source } = await scenario('dry', { dryRun: true });
    await addRoster(t.deps.db, runId, [{ externalId: id(1), values: practice(1) }]);
    const plan = await planRun(t.deps, { runId, source });
    expect(plan).toMatchObject({ dryRun: true, held: false });
    expect(await actions(t.deps.db, runId)).toHaveLength(1);
    await t.deps.db('runs').where({ id: runId }).update({ status: 'held' });
    await expect(approveRun(t.deps.db, runId, 'x')).rejects.toMatchObject({ code: 'RUN_DRY_RUN' });
    await finishRun(t.deps.db, runId);
  });

  it('refreshes roster_rows statistics first when they are stale (rows staged without the import\'s ANALYZE)', async () => {
    const db = t.deps.db;
    const stats = async () => (await db.raw(`SELECT s.n_live_tup::int AS live, c.reltuples::int AS counted, s.last_analyze
      FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'roster_rows'::regclass`)).rows[0] as { live: number; counted: number; last_analyze: Date | null };
    await db.raw('ANALYZE roster_rows');
    const before = await stats();
    // Autovacuum could analyze first and leave nothing stale; this test wants planRun to do it.
    await db.raw('ALTER TABLE roster_rows SET (autovacuum_enabled = false)');
    try {
      const { runId, id, source } = await scenario('stale');
      await addRoster(db, runId, Array.from({ length: 3000 }, (_, i) => ({ externalId: id(i + 1), values: practice(i + 1) })));
      // The inserting backends report their counts when idle, within a second or so.
      const deadline = Date.now() + 20_000;
      while ((await stats()).live < before.live + 3000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect((await stats()).counted).toBeLessThan(before.live + 3000);
      const plan = await planRun(t.deps, { runId, source });
      expect(plan.counts).toMatchObject({ create: 3000 });
      const after = await stats();
      expect(after.last_analyze!.getTime()).toBeGreaterThan(before.last_analyze!.getTime());
      expect(after.counted).toBeGreaterThanOrEqual(before.live + 3000);
      // Fresh statistics: the next plan does not analyze again.
      await planRun(t.deps, { runId, source });
      expect((await stats()).last_analyze!.getTime()).toBe(after.last_analyze!.getTime());
      await finishRun(db, runId);
    } finally {
      await db.raw('ALTER TABLE roster_rows RESET (autovacuum_enabled)');
    }
  });
});
