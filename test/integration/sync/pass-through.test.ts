/**
 * Pass-through (issue 14): Updox replaces the whole record on every save, so every save carries
 * every field the practice holds, under its wire name, with only the managed fields replaced.
 * A sync that updates a managed field, a reactivation, a deactivation (full roster) and a legacy
 * upgrade run over practices carrying fields we do not model; each of those survives byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeLegacy } from '../../../src/sync/upgrade-legacy';
import { createSyncWorld, type SyncWorld } from './sync-world';

/** Fields no roster of ours manages; `partnerNote` is one nobody knows. */
const EXTRAS: Record<string, Record<string, unknown>> = Object.fromEntries(['P001', 'P002', 'P003', 'P004', 'P005'].map((id, i) => [`pt-${id}`, {
  metadata: `{"ehr":"acme","seat":${i},"note":"café ✓ \\"q\\""}`,
  practiceNpi: `12345678${90 + i}`,
  practiceSpecialtyCode: '207Q00000X',
  partnerNote: `call before 9 — Ünïcode "quoted"\n2nd line ${i}`,
  defaultConsentMethods: ['sms', 'email'],
  port: 8443,
}]));

/** Unmapped modelled fields (the roster has no column for them): kept as Updox has them. */
const unmappedOf = (n: number) => ({ websiteAddress: `ptportal${n}`, directDomain: `pt${n}.direct.example` });

const seedPractice = (n: number, v: Record<string, unknown>) => ({
  accountId: `pt-P00${n}`, address2: '', fax: '', alternativeWebsiteUrl: '', timeZone: 'America/New_York', country: 'US', active: true,
  ...unmappedOf(n), ...EXTRAS[`pt-P00${n}`], ...v,
});

const SEED = [
  seedPractice(1, { name: 'Riverside Pediatrics', address1: '100 Main St', city: 'Columbus', state: 'OH', postal: '43215', phone: '6145550100', websiteUrl: 'https://riversidepeds.example' }),
  seedPractice(2, { name: 'Lakeview Family Medicine', address1: '22 Lake Rd', city: 'Chicago', state: 'IL', postal: '60601', phone: '3125550102', websiteUrl: 'https://lakeviewfm.example', timeZone: 'America/Chicago' }),
  seedPractice(3, { name: 'Desert Sun Clinic', address1: '9 Cactus Way', city: 'Phoenix', state: 'AZ', postal: '85001', phone: '6025550103', websiteUrl: 'https://desertsun.example', timeZone: 'America/Phoenix', active: false }),
  seedPractice(4, { name: 'Garden State Health', address1: '7 Elm Ave', city: 'Newark', state: 'NJ', postal: '07102', phone: '9735550104', websiteUrl: 'https://gardenstate.example' }),
  seedPractice(5, { name: 'Old Mill Clinic', address1: '3 Mill Rd', city: 'Dayton', state: 'OH', postal: '45402', phone: '9375550105', apiVersion: 'legacy' }),
];

const ROSTER = [
  'P001,Riverside Pediatrics,100 Main St,,Dublin,OH,43215,6145550100,,https://riversidepeds.example,,America/New_York,',
  'P002,Lakeview Family Medicine,22 Lake Rd,,Chicago,IL,60601,3125550102,,https://lakeviewfm.example,,America/Chicago,',
  'P003,Desert Sun Clinic,9 Cactus Way,,Phoenix,AZ,85001,6025550103,,https://desertsun.example,,America/Phoenix,',
  'P004,Garden State Health,7 Elm Ave,,Newark,NJ,07102,9735550104,,https://gardenstate.example,,America/New_York,',
];

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld();
  await w.admin.seed({ practices: SEED });
});
afterAll(async () => { await w?.close(); });

async function expectUnmanagedIntact(accountIds: string[]): Promise<void> {
  for (const id of accountIds) {
    const remote = await w.remote(id);
    for (const [k, v] of Object.entries(EXTRAS[id]!)) expect(JSON.stringify(remote[k]), `${id}.${k}`).toBe(JSON.stringify(v));
    const n = Number(id.slice(-1));
    expect(remote, id).toMatchObject(unmappedOf(n));
  }
}

describe('pass-through of the fields we do not manage', () => {
  it('a sync updating a managed field and reactivating keeps every other field byte for byte', async () => {
    w.roster(ROSTER);
    const run = await w.sync();
    expect(run.status).toBe('succeeded');
    const outbox = await w.app.deps.db('sync_actions').where({ run_id: run.id }).orderBy('account_id').select('account_id', 'op', 'status', 'payload');
    expect(outbox.map((a) => `${a.account_id}:${a.op}:${a.status}`)).toEqual(['pt-P001:update:succeeded', 'pt-P003:reactivate:succeeded']);
    // The payload carried the unmodelled fields as read, never Updox's own `vetted`.
    expect(outbox[0].payload).toMatchObject({ ...EXTRAS['pt-P001'], websiteAddress: 'ptportal1', city: 'Dublin' });
    expect(outbox[0].payload).not.toHaveProperty('vetted');

    expect(await w.remote('pt-P001')).toMatchObject({ city: 'Dublin', address1: '100 Main St' });
    expect(await w.remote('pt-P003')).toMatchObject({ active: true });
    await expectUnmanagedIntact(['pt-P001', 'pt-P002', 'pt-P003', 'pt-P004', 'pt-P005']);
    expect((await w.admin.counters()).writesByAccount).toEqual({ 'pt-P001': 1, 'pt-P003': 1 });

    // Kept raw with our last-saved state too.
    const ours = await w.app.deps.db('practices').where({ account_id: 'pt-P001' }).first('extra_fields', 'city');
    expect(ours).toEqual({ extra_fields: EXTRAS['pt-P001'], city: 'Dublin' });
  });

  it('a full roster without a practice deactivates it and keeps every other field', async () => {
    w.roster(ROSTER.slice(0, 3));
    const run = await w.sync();
    expect(run.status).toBe('succeeded');
    const ops = await w.app.deps.db('sync_actions').where({ run_id: run.id }).select('account_id', 'op', 'status');
    expect(ops).toEqual([{ account_id: 'pt-P004', op: 'deactivate', status: 'succeeded' }]);
    expect(await w.remote('pt-P004')).toMatchObject({ active: false, name: 'Garden State Health', city: 'Newark' });
    await expectUnmanagedIntact(['pt-P001', 'pt-P002', 'pt-P003', 'pt-P004', 'pt-P005']);
  });

  it('a legacy upgrade re-saves through 1.1 and keeps every other field', async () => {
    const before = (await w.admin.counters()).writesByAccount;
    const report = await upgradeLegacy(w.app.deps, w.app.deps.updox, { workerId: 'up', concurrency: 2, leaseMs: 2_000, pollMs: 50, source: 'pass' });
    expect(report.status).toBe('succeeded');
    const upgraded = (await w.admin.practices()).find((p) => p.accountId === 'pt-P005');
    expect(upgraded).toMatchObject({ apiVersion: '1.1', name: 'Old Mill Clinic', address1: '3 Mill Rd' });
    expect((await w.admin.counters()).writesByAccount['pt-P005']).toBe((before['pt-P005'] ?? 0) + 1);
    await expectUnmanagedIntact(['pt-P001', 'pt-P002', 'pt-P003', 'pt-P004', 'pt-P005']);
  });
});
