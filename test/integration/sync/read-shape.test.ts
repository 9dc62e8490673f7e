/**
 * Absent is not empty (issue 14): with the simulator answering reads in the real client's recorded
 * shape (no websiteUrl / alternativeWebsiteUrl / country unless a save set them, `vetted`,
 * `metadata: ""`, `directAddress: null`), a roster synced twice makes no write the second time,
 * and a write whose reply is lost is confirmed by PracticeGet without being sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncWorld, type SyncWorld } from './sync-world';

const ROSTER = [
  // No alternative website (R001, R003) and no website (R003): the recorded reads never return those keys.
  'R001,Riverside Pediatrics,100 Main St,Suite 2,Columbus,OH,43215,6145550100,6145550101,https://riversidepeds.example,,America/New_York,',
  'R002,Lakeview Family Medicine,22 Lake Rd,,Chicago,IL,60601,3125550102,,https://lakeviewfm.example,https://social.example/lfm,America/Chicago,',
  'R003,Desert Sun Clinic,9 Cactus Way,,Phoenix,AZ,85001,6025550103,,,,,',
  // Exists in Updox already, in the recorded shape, never saved by us: adopted once.
  'R004,Acccounttown Inc,6555 Ronn Ln,,Dublin,OH,43017,5555559720,,https://accounttown.example,,America/New_York,',
];

/** An account as the real client's recorded PracticeGet shows one (values written by us in that shape). */
const ACCOUNTTOWN = {
  accountId: 'pt-R004', name: 'Acccounttown Inc', address1: '6555 Ronn Ln', address2: '', city: 'Dublin', state: 'OH', postal: '43017',
  phone: '5555559720', fax: '', directDomain: 'accounttown.direct.myupdox.com', websiteAddress: 'accounttownpatientportal',
  metadata: '', timeZone: 'America/New_York', vetted: false, active: true,
};

describe.each(['recorded', 'pre-1.1'] as const)('the %s read shape', (readShape) => {
  let w: SyncWorld;
  beforeAll(async () => {
    w = await createSyncWorld({ readShape });
    await w.admin.seed({ practices: [ACCOUNTTOWN] });
  });
  afterAll(async () => { await w?.close(); });

  const totalWrites = async () => Object.values((await w.admin.counters()).writesByAccount).reduce((a, b) => a + b, 0);

  it('answers reads without the 1.1 fields that were never set', async () => {
    const r = await w.remote('pt-R004');
    expect(r).toMatchObject({ vetted: false, metadata: '', directAddress: null, active: true });
    for (const k of ['websiteUrl', 'alternativeWebsiteUrl', 'country']) expect(r).not.toHaveProperty(k);
  });

  it('syncs the same roster twice with 0 writes the second time', async () => {
    w.roster(ROSTER);
    const first = await w.sync();
    expect(first.status).toBe('succeeded');
    expect((first.plan_stats as { counts: Record<string, number> }).counts).toMatchObject({ create: 3, update: 1, adopted: 1 });
    const after1 = await totalWrites();
    expect(after1).toBe(4);
    // What makes these reads "absent": the fields never set, and with pre-1.1 every 1.1 field.
    expect(await w.remote('pt-R001')).not.toHaveProperty('alternativeWebsiteUrl');
    expect(await w.remote('pt-R003')).not.toHaveProperty('websiteUrl');
    if (readShape === 'pre-1.1') expect(await w.remote('pt-R002')).not.toHaveProperty('websiteUrl');

    const second = await w.sync();
    expect(second.status).toBe('succeeded');
    expect((second.plan_stats as { counts: Record<string, number> }).counts).toMatchObject({ create: 0, update: 0, deactivate: 0, reactivate: 0, unchanged: 4, conflicts: 0 });
    expect(await totalWrites()).toBe(after1);
  });

  it('confirms a create and an update whose replies were lost with PracticeGet, without a second write', async () => {
    w.roster([...ROSTER.map((l) => l.replace('Columbus', 'Dublin')), 'R005,Old Mill Clinic,3 Mill Rd,,Dayton,OH,45402,9375550105,,https://oldmill.example,,America/New_York,']);
    await w.admin.setFaults([{ method: 'PracticeSave', kind: 'lost', count: 2 }]);
    const before = (await w.admin.counters()).writesByAccount;
    const run = await w.sync();
    expect(run.status).toBe('succeeded');
    const rows = await w.app.deps.db('sync_actions').where({ run_id: run.id }).orderBy('account_id').select('account_id', 'op', 'status', 'attempts', 'reconciles', 'message');
    expect(rows.map((a) => `${a.account_id}:${a.op}:${a.status}:${a.attempts}`)).toEqual(['pt-R001:update:succeeded:1', 'pt-R005:create:succeeded:1']);
    for (const a of rows) {
      expect(a.reconciles).toBe(1);
      expect(a.message).toMatch(/reply lost.*confirmed by PracticeGet/);
    }
    const after = (await w.admin.counters()).writesByAccount;
    expect(after['pt-R001']).toBe(before['pt-R001']! + 1);
    expect(after['pt-R005']).toBe(1);
    expect(await w.remote('pt-R001')).toMatchObject({ city: 'Dublin' });
  });
});
