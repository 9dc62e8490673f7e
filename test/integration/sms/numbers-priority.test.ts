/**
 * The nightly pull by priority within a budget: the most urgent due accounts are asked first, the
 * pull stops at its budget and the rest stay due for the next one; a verified account checked
 * tonight is not asked again until its refresh; a save makes an account due at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberFreshness } from '../../../src/sms/number-checks';
import { pullNumbers } from '../../../src/sms/numbers';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../../../src/updox/types';
import { createSmsTestApp, seedPractices, testClock, type SmsTestApp } from './app-helper';

const DAY = 24 * 3_600_000;
const clock = testClock(new Date('2026-12-01T02:00:00Z'));
let t: SmsTestApp;

function listingClient(numbers: Record<string, string[]>): UpdoxClient & { calls: string[] } {
  const calls: string[] = [];
  const no = () => { throw new Error('not used'); };
  return {
    calls,
    async smsSendNumberList(accountId) {
      calls.push(accountId);
      const list: UpdoxSmsNumber[] = (numbers[accountId] ?? []).map((s, i) => ({ number: `888555${accountId.slice(-2)}${i}0`, verificationStatus: s }));
      return { outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { numbers: list } as never, attempts: 1, ambiguous: false } as CallResult<{ numbers: UpdoxSmsNumber[] }>;
    },
    practiceSave: no, practiceGet: no, practiceList: no, smsSend: no, ping: no,
    async close() {},
  };
}

beforeAll(async () => {
  t = await createSmsTestApp({}, clock);
  const at = (days: number) => new Date(clock.now().getTime() + days * DAY);
  await seedPractices(t.app, [
    { account_id: 'p-saved', last_saved_at: at(-0.5) },
    { account_id: 'p-4039', details_insufficient_at: at(-0.2) },
    { account_id: 'p-pending' }, { account_id: 'p-never-1' }, { account_id: 'p-never-2' },
    { account_id: 'p-verified-fresh' }, { account_id: 'p-verified-old' }, { account_id: 'p-none' },
    { account_id: 'p-inactive', active: false },
  ]);
  await t.app.deps.db('number_checks').insert([
    { account_id: 'p-saved', checked_at: at(-1), next_check_at: at(6), reason: 'verified' },
    { account_id: 'p-4039', checked_at: at(-1), next_check_at: at(6), reason: 'verified' },
    { account_id: 'p-pending', checked_at: at(-1), next_check_at: at(-0.2), reason: 'pending' },
    { account_id: 'p-verified-fresh', checked_at: at(-1), next_check_at: at(6), reason: 'verified' },
    { account_id: 'p-verified-old', checked_at: at(-7.5), next_check_at: at(-0.5), reason: 'verified' },
    { account_id: 'p-none', checked_at: at(-1), next_check_at: at(2), reason: 'no_numbers' },
  ]);
});
afterAll(async () => { await t?.close(); });

describe('numbers by priority within a budget', () => {
  it('asks the most urgent due accounts first and stops at the budget; the next pull takes the rest', async () => {
    const numbers = { 'p-saved': ['VERIFIED'], 'p-4039': ['PENDING'], 'p-pending': ['VERIFIED'], 'p-never-1': ['VERIFIED'], 'p-never-2': [], 'p-verified-old': ['VERIFIED'] };
    const client = listingClient(numbers);
    const first = await pullNumbers(t.app.deps, client, { mode: 'due', budget: 4, concurrency: 1 });
    // Events since the last check (save, 4039), then a number in progress, then never checked.
    expect(client.calls).toEqual(['p-4039', 'p-saved', 'p-pending', 'p-never-1']);
    expect(first).toMatchObject({ accounts: 4, due: 6, budget: 4, leftDue: 2 });
    const fresh = await numberFreshness(t.app.deps.db, clock.now());
    expect(fresh).toMatchObject({ activeAccounts: 8, neverChecked: 1, overdue: 2 }); // p-never-2 and p-verified-old

    const second = listingClient(numbers);
    const next = await pullNumbers(t.app.deps, second, { mode: 'due', budget: 10, concurrency: 1 });
    expect(second.calls).toEqual(['p-never-2', 'p-verified-old']); // verified-fresh, none and the ones checked above are not due
    expect(next).toMatchObject({ due: 2, leftDue: 0 });

    // The next night: only p-4039 (pending: soon) is due; the verified ones wait for their refresh.
    clock.advance(DAY);
    const third = listingClient(numbers);
    await pullNumbers(t.app.deps, third, { mode: 'due', budget: 10, concurrency: 1 });
    expect(third.calls).toEqual(['p-4039']);
    // A save since the last check makes an account due at once.
    await t.app.deps.db('practices').where({ account_id: 'p-verified-fresh' }).update({ last_saved_at: clock.now() });
    const fourth = listingClient(numbers);
    await pullNumbers(t.app.deps, fourth, { mode: 'due', budget: 10, concurrency: 1 });
    expect(fourth.calls).toEqual(['p-verified-fresh']);
    const checks = await t.app.deps.db('number_checks').orderBy('account_id').select('account_id', 'reason');
    expect(Object.fromEntries(checks.map((c: { account_id: string; reason: string }) => [c.account_id, c.reason]))).toMatchObject({
      'p-4039': 'pending', 'p-never-2': 'no_numbers', 'p-saved': 'verified', 'p-verified-fresh': 'no_numbers',
    });
  });

  it('with a budget of 0 asks nothing and leaves every due account due', async () => {
    clock.advance(30 * DAY);
    const client = listingClient({});
    const res = await pullNumbers(t.app.deps, client, { mode: 'due', budget: 0 });
    expect(client.calls).toEqual([]);
    expect(res).toMatchObject({ accounts: 0, due: 8, leftDue: 8 });
  });
});
