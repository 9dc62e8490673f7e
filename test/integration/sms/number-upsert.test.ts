import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeBusinessCalendar } from '../../../src/sms/business-days';
import { markMissing, upsertNumbers, type NumberObservation, type UpsertContext } from '../../../src/sms/number-upsert';
import { createSmsTestApp, type SmsTestApp } from './app-helper';

let t: SmsTestApp;
beforeAll(async () => { t = await createSmsTestApp(); });
afterAll(async () => { await t?.close(); });
beforeEach(async () => {
  await t.app.deps.db.raw('TRUNCATE sms_numbers, sms_number_events');
});

const MON = new Date('2026-11-23T10:00:00Z');
const ctx = (observedAt: Date, now = observedAt, source: 'poll' | 'webhook' = 'poll'): UpsertContext =>
  ({ source, observedAt, now, pendingBusinessDays: 3, calendar: makeBusinessCalendar({ timeZone: 'UTC', federalHolidays: false }) });
const obs = (number: string, rawStatus: string, extra: Partial<NumberObservation> = {}): NumberObservation =>
  ({ accountId: 'acc-1', number, rawStatus, numberType: 'TOLL_FREE', ...extra });
const run = (o: NumberObservation[], c: UpsertContext) => t.app.deps.db.transaction((trx) => upsertNumbers(trx, o, c));
const events = () => t.app.deps.db('sms_number_events').orderBy('id').select('number', 'from_status', 'to_status', 'source');

describe('upsertNumbers', () => {
  it('inserts new numbers with a first event and writes no event when nothing changed', async () => {
    const a = await run([obs('8885550001', 'PENDING'), obs('8885550002', 'VERIFIED')], ctx(MON));
    expect(a).toMatchObject({ inserted: 2, changed: 0, events: 2 });
    const b = await run([obs('8885550001', 'PENDING'), obs('8885550002', 'VERIFIED')], ctx(new Date(MON.getTime() + 3600_000)));
    expect(b).toMatchObject({ inserted: 0, changed: 0, unchanged: 2, events: 0 });
    expect(await events()).toEqual([
      { number: '8885550001', from_status: null, to_status: 'pending', source: 'poll' },
      { number: '8885550002', from_status: null, to_status: 'verified', source: 'poll' },
    ]);
  });

  it('writes an event on a status change and keeps the raw vendor status', async () => {
    await run([obs('8885550001', 'PENDING')], ctx(MON));
    const later = new Date('2026-11-24T10:00:00Z');
    const r = await run([obs('8885550001', 'IN_REVIEW')], ctx(later));
    expect(r).toMatchObject({ changed: 1, events: 1 });
    const row = await t.app.deps.db('sms_numbers').where({ number: '8885550001' }).first();
    expect(row).toMatchObject({ status: 'unknown', raw_status: 'IN_REVIEW', number_type: 'TOLL_FREE' });
    expect(row.status_since.toISOString()).toBe(later.toISOString());
  });

  it('ignores an observation older than the stored status (a late webhook cannot regress it)', async () => {
    await run([obs('8885550001', 'VERIFIED')], ctx(new Date('2026-11-24T10:00:00Z')));
    const r = await run([obs('8885550001', 'PENDING')], ctx(MON, MON, 'webhook'));
    expect(r).toMatchObject({ stale: 1, changed: 0, events: 0 });
    expect((await t.app.deps.db('sms_numbers').first()).status).toBe('verified');
  });

  it('flags a number pending longer than 3 business days as overdue', async () => {
    await run([obs('8885550001', 'PENDING')], ctx(MON));
    const thursdayAtDeadline = new Date('2026-11-26T10:00:00Z');
    expect((await run([obs('8885550001', 'PENDING')], ctx(thursdayAtDeadline))).rows[0]!.overdue).toBe(false);
    const after = new Date('2026-11-26T10:00:01Z');
    expect((await run([obs('8885550001', 'PENDING')], ctx(after))).rows[0]!.overdue).toBe(true);
    expect((await t.app.deps.db('sms_numbers').first()).overdue).toBe(true);
    // Verified clears the flag.
    expect((await run([obs('8885550001', 'VERIFIED')], ctx(new Date('2026-11-27T10:00:00Z')))).rows[0]!.overdue).toBe(false);
  });

  it('keeps stored fields a webhook does not carry', async () => {
    await run([obs('8885550001', 'PENDING', { ownerType: 'queue', ownerId: 'q-1' })], ctx(MON));
    await run([obs('8885550001', 'VERIFIED', { numberType: null, ownerType: null })], ctx(new Date('2026-11-24T10:00:00Z'), undefined, 'webhook'));
    const row = await t.app.deps.db('sms_numbers').first();
    expect(row).toMatchObject({ status: 'verified', owner_type: 'queue', owner_id: 'q-1', number_type: 'TOLL_FREE' });
  });

  it('marks numbers no longer listed as missing, and clears the flag when they come back', async () => {
    await run([obs('8885550001', 'VERIFIED'), obs('8885550002', 'PENDING')], ctx(MON));
    const n = await t.app.deps.db.transaction((trx) => markMissing(trx, ['acc-1'], [{ accountId: 'acc-1', number: '8885550001' }]));
    expect(n).toBe(1);
    expect(await t.app.deps.db('sms_numbers').where({ missing: true }).pluck('number')).toEqual(['8885550002']);
    await run([obs('8885550002', 'PENDING')], ctx(new Date('2026-11-24T10:00:00Z')));
    expect(await t.app.deps.db('sms_numbers').where({ missing: true }).pluck('number')).toEqual([]);
  });

  it('never writes a duplicate event when many writers report the same change at once', async () => {
    await run([obs('8885550001', 'PENDING'), obs('8885550002', 'PENDING')], ctx(MON));
    const at = new Date('2026-11-24T10:00:00Z');
    await Promise.all(Array.from({ length: 8 }, (_, i) =>
      run([obs('8885550001', 'VERIFIED'), obs('8885550002', 'REJECTED'), obs(`88855501${i}0`, 'PENDING')].reverse(), ctx(at, at, i % 2 ? 'webhook' : 'poll')),
    ));
    const ev = await t.app.deps.db('sms_number_events').whereIn('number', ['8885550001', '8885550002']).select('number', 'to_status');
    expect(ev.filter((e) => e.to_status !== 'pending')).toHaveLength(2);
  });
});
