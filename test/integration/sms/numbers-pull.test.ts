/**
 * pullNumbers against real Postgres with a scripted UpdoxClient: the vendor outcomes (4011, 4015,
 * failures) are pinned here deterministically; the simulator test covers the real client path.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from '../../../src/errors';
import { pullNumbers } from '../../../src/sms/numbers';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../../../src/updox/types';
import { createSmsTestApp, seedPractices, testClock, type SmsTestApp } from './app-helper';

type Script = Record<string, UpdoxSmsNumber[] | { code: number; outcome: CallResult['outcome'] }>;

function scriptedClient(script: () => Script): UpdoxClient & { calls: string[] } {
  const calls: string[] = [];
  const result = <T>(body: T | null, outcome: CallResult['outcome'], code: number): CallResult<T & Record<string, unknown>> =>
    ({ outcome, code, message: outcome === 'ok' ? 'OK' : `code ${code}`, httpStatus: 200, body: body as never, attempts: 1, ambiguous: false });
  const no = () => { throw new Error('not used'); };
  return {
    calls,
    async smsSendNumberList(accountId) {
      calls.push(accountId);
      await new Promise((r) => setImmediate(r));
      const s = script()[accountId] ?? [];
      if (Array.isArray(s)) return result({ numbers: s }, 'ok', 2000);
      return result(null, s.outcome, s.code) as never;
    },
    practiceSave: no, practiceGet: no, practiceList: no, smsSend: no, ping: no,
    async close() {},
  };
}

let t: SmsTestApp;
const clock = testClock(new Date('2026-11-23T10:00:00Z')); // Monday
beforeAll(async () => {
  t = await createSmsTestApp({}, clock);
  await seedPractices(t.app, [
    ...Array.from({ length: 30 }, (_, i) => ({ account_id: `a${String(i).padStart(2, '0')}` })),
    { account_id: 'z-inactive', active: false },
  ]);
});
afterAll(async () => { await t?.close(); });
beforeEach(async () => { await t.app.deps.db.raw('TRUNCATE sms_numbers, sms_number_events'); });

const num = (n: string, status: string, extra: Partial<UpdoxSmsNumber> = {}): UpdoxSmsNumber =>
  ({ number: n, verificationStatus: status, type: 'TOLL_FREE', businessDetails: 'COMPLETE', updatedAt: '2026-11-23 09:00:00', ...extra });

describe('pullNumbers', () => {
  it('pulls every active account in batches and records numbers, gaps and vendor refusals', async () => {
    const script: Script = {};
    for (let i = 0; i < 30; i++) script[`a${String(i).padStart(2, '0')}`] = [num(`88855500${String(i).padStart(2, '0')}`, 'PENDING')];
    script.a03 = [];
    script.a04 = { code: 4011, outcome: 'halt' };
    script.a05 = { code: 5000, outcome: 'retryable' };
    script.a06 = [num('8885550006', 'REJECTED'), num('8885559906', 'VERIFIED', { ownerType: 'queue', ownerId: 'q1' })];
    const client = scriptedClient(() => script);
    const stats = await pullNumbers(t.app.deps, client, { concurrency: 4, writeBatchAccounts: 7, pageSize: 8 });
    expect(client.calls).toHaveLength(30);
    expect(client.calls).not.toContain('z-inactive');
    expect(stats).toMatchObject({ accounts: 30, listed: 28, numbers: 28, inserted: 28, events: 28, changed: 0 });
    expect(stats.dbBatches).toBeGreaterThanOrEqual(4);
    expect(stats.accountsWithoutNumber).toEqual(['a03']);
    expect(stats.unauthorizedAccounts).toEqual(['a04']);
    expect(stats.failedAccounts).toMatchObject([{ accountId: 'a05', code: 5000, outcome: 'retryable' }]);
    expect(stats.rejected.map((r) => r.number)).toEqual(['8885550006']);
    const q = await t.app.deps.db('sms_numbers').where({ number: '8885559906' }).first();
    expect(q).toMatchObject({ owner_type: 'queue', owner_id: 'q1', status: 'verified', raw_status: 'VERIFIED', number_type: 'TOLL_FREE', business_details: 'COMPLETE' });
    expect(q.vendor_updated_at.toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });

  it('writes events only on change, flags overdue after 3 business days and marks unlisted numbers missing', async () => {
    const script: Script = { a00: [num('8885550000', 'PENDING'), num('8885550100', 'PENDING')] };
    const client = scriptedClient(() => script);
    await pullNumbers(t.app.deps, client, { accountIds: ['a00'] });
    clock.set(new Date('2026-11-26T10:00:01Z')); // Thanksgiving, a federal holiday: not a business day
    script.a00 = [num('8885550000', 'PENDING')];
    const s1 = await pullNumbers(t.app.deps, client, { accountIds: ['a00'] });
    expect(s1).toMatchObject({ events: 0, unchanged: 1, missing: 1, overdue: [] });
    clock.set(new Date('2026-11-27T10:00:01Z')); // Friday, just past 3 business days (Tue, Wed, Fri)
    const s2 = await pullNumbers(t.app.deps, client, { accountIds: ['a00'] });
    expect(s2).toMatchObject({ events: 0, unchanged: 1 });
    expect(s2.overdue.map((r) => r.number)).toEqual(['8885550000']);
    clock.set(new Date('2026-11-27T11:00:00Z'));
    script.a00 = [num('8885550000', 'VERIFIED')];
    const s3 = await pullNumbers(t.app.deps, client, { accountIds: ['a00'] });
    expect(s3).toMatchObject({ events: 1, changed: 1, overdue: [] });
    const ev = await t.app.deps.db('sms_number_events').where({ number: '8885550000' }).orderBy('id').select('from_status', 'to_status');
    expect(ev).toEqual([{ from_status: null, to_status: 'pending' }, { from_status: 'pending', to_status: 'verified' }]);
    const row = await t.app.deps.db('sms_numbers').where({ number: '8885550100' }).first();
    expect(row).toMatchObject({ missing: true, status: 'pending' });
  });

  it('halts on 4015 with a clear error, stops calling, and keeps what it fetched', async () => {
    const script: Script = {};
    for (let i = 0; i < 30; i++) script[`a${String(i).padStart(2, '0')}`] = [num(`88855500${String(i).padStart(2, '0')}`, 'PENDING')];
    script.a10 = { code: 4015, outcome: 'halt' };
    const client = scriptedClient(() => script);
    const err = await pullNumbers(t.app.deps, client, { concurrency: 2, writeBatchAccounts: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ code: 'SMS_NOT_ACTIVATED', halt: true, kind: 'permanent' });
    expect(err.message).toMatch(/4015.*not enabled/);
    expect(client.calls.length).toBeLessThan(16);
    expect(Number((await t.app.deps.db('sms_numbers').count<{ c: string }[]>('* as c'))[0]!.c)).toBeGreaterThanOrEqual(8);
  });

  it('halts on bad credentials (4010)', async () => {
    const client = scriptedClient(() => ({ a00: { code: 4010, outcome: 'halt' } }));
    await expect(pullNumbers(t.app.deps, client, { accountIds: ['a00', 'a01'], concurrency: 1 })).rejects.toMatchObject({ code: 'UPDOX_UNAUTHORIZED', halt: true });
    expect(client.calls).toEqual(['a00']);
  });
});
