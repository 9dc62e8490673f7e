/**
 * The digest-first plan over whole records (issue 18's first pass with issue 14's pass-through):
 * with reads in the real client's recorded shape (keys left out), unchanged practices are set
 * aside by digest from the second plan on; a change Updox holds only in a field we do not model
 * sends that practice through the merge instead (no write: the merge finds it unchanged), and the
 * next write carries the field as Updox holds it now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncWorld, type SyncWorld } from './sync-world';

const seedOf = (n: number, v: Record<string, unknown> = {}) => ({
  accountId: `pt-D00${n}`, name: `Digest Clinic ${n}`, address1: `${n} Elm St`, address2: '', city: 'Columbus', state: 'OH', postal: '43215',
  phone: `614555010${n}`, fax: '', websiteUrl: `https://digest${n}.example`, country: 'US', timeZone: 'America/New_York', active: true,
  metadata: `{"seat":${n}}`, partnerNote: `call before 9, desk ${n}`, ...v,
});
const rosterOf = (n: number, phone = `614555010${n}`) =>
  `D00${n},Digest Clinic ${n},${n} Elm St,,Columbus,OH,43215,${phone},,https://digest${n}.example,,America/New_York,`;

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld({ readShape: 'recorded' });
  await w.admin.seed({ practices: [seedOf(1), seedOf(2)] });
});
afterAll(async () => { await w?.close(); });

const countsOf = (run: { plan_stats: unknown }) => (run.plan_stats as { counts: Record<string, number> }).counts;
const writes = async () => (await w.admin.counters()).writesByAccount;

describe('the digest over records with unmodelled fields and keys left out', () => {
  it('sets unchanged practices aside from the second plan on, although the reads leave keys out', async () => {
    w.roster([rosterOf(1), rosterOf(2)]);
    const first = await w.sync();
    expect(first.status).toBe('succeeded');
    expect(countsOf(first)).toMatchObject({ create: 0, update: 0, unchanged: 2, setAside: 0 });
    expect(await w.remote('pt-D001')).not.toHaveProperty('alternativeWebsiteUrl'); // a key the read leaves out
    const second = await w.sync();
    expect(countsOf(second)).toMatchObject({ update: 0, unchanged: 2, setAside: 2 });
    expect(await writes()).toEqual({});
  });

  it('merges a practice changed in Updox only in an unmodelled field (no write), then sets it aside again', async () => {
    await w.admin.seed({ practices: [seedOf(1, { metadata: '{"seat":1,"moved":true}', partnerNote: 'now call after 10' })] });
    const third = await w.sync();
    expect(countsOf(third)).toMatchObject({ update: 0, unchanged: 2, setAside: 1 });
    expect(await writes()).toEqual({});
    const fourth = await w.sync();
    expect(countsOf(fourth)).toMatchObject({ update: 0, unchanged: 2, setAside: 2 });
  });

  it('carries the unmodelled fields as Updox holds them now in the next write', async () => {
    w.roster([rosterOf(1, '6145559999'), rosterOf(2)]);
    const run = await w.sync();
    expect(run.status).toBe('succeeded');
    expect(countsOf(run)).toMatchObject({ update: 1, unchanged: 1, setAside: 1 });
    const [a] = await w.app.deps.db('sync_actions').where({ run_id: run.id }).select('account_id', 'payload');
    expect(a).toMatchObject({ account_id: 'pt-D001', payload: { phone: '6145559999', metadata: '{"seat":1,"moved":true}', partnerNote: 'now call after 10' } });
    expect(await w.remote('pt-D001')).toMatchObject({ phone: '6145559999', metadata: '{"seat":1,"moved":true}', partnerNote: 'now call after 10' });
    expect(await writes()).toEqual({ 'pt-D001': 1 });
  });
});
