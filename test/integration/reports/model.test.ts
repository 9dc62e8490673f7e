import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportInput } from '../../../src/reports/model';
import { parsePeriod } from '../../../src/reports/period';
import { createSmsTestApp, testClock, type SmsTestApp } from '../sms/app-helper';
import { FORMULA_NAME, MARCUS, NOW, OPS, PRIYA, SCRIPT_NAME, seedReportScenario } from './seed';

let t: SmsTestApp;
beforeAll(async () => {
  t = await createSmsTestApp({}, testClock(NOW));
  await seedReportScenario(t.app.deps.db);
});
afterAll(async () => t?.close());

const period = parsePeriod('2026-11-24', 'UTC');
const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  kind: 'manager', recipient: { email: PRIYA, name: 'Priya Raman' }, partner: { id: 'test-partner', name: 'Test Partner' },
  managers: [{ email: PRIYA, name: 'Priya Raman' }, { email: MARCUS, name: 'Marcus Bell' }],
  period, since: new Date('2026-11-23T00:00:00Z'), previousReport: null, previousFailure: null, now: NOW, ...over,
});

describe('report model', () => {
  it('lists a manager\'s practices needing action, most urgent first, with what to fix', async () => {
    const { model } = await buildReport(t.app.deps.db, input());
    const rows = model.actions.items.map((a) => `${a.reason} ${a.accountId}${a.number ? ` ${a.number}` : ''}`);
    expect(rows).toEqual([
      'SAVE_FAILED tp-02', 'SAVE_FAILED tp-40', 'DETAILS_INSUFFICIENT tp-06', 'NUMBER_REJECTED tp-04 6145550104',
      'DETAILS_INCOMPLETE tp-01', 'DETAILS_INCOMPLETE tp-04', 'DETAILS_INCOMPLETE tp-06', 'NUMBER_OVERDUE tp-05 6145550105',
    ]);
    const byKey = Object.fromEntries(model.actions.items.map((a) => [`${a.reason} ${a.accountId}`, a]));
    expect(byKey['SAVE_FAILED tp-02']!.detail).toBe('Updox 4060: Postal code is invalid');
    expect(byKey['SAVE_FAILED tp-02']!.practiceName).toBe(FORMULA_NAME);
    // A failed create has no practice row: name and manager come from the roster row.
    expect(byKey['SAVE_FAILED tp-40']).toMatchObject({ practiceName: 'Brand New Practice', code: 4140, detail: 'Updox 4140: Phone number must be 10 digits' });
    expect(byKey['DETAILS_INCOMPLETE tp-01']!.detail).toBe('missing: city, postal code');
    expect(byKey['DETAILS_INCOMPLETE tp-01']!.practiceName).toBe(SCRIPT_NAME);
    expect(byKey['DETAILS_INSUFFICIENT tp-06']!.detail).toContain('missing: address line 1');
    expect(byKey['NUMBER_OVERDUE tp-05']!.detail).toMatch(/^pending for 9 day/);
    expect(model.actions.items.some((a) => a.accountId === 'tp-08')).toBe(false); // inactive
    expect(model.actions.items.some((a) => a.accountId === 'tp-21')).toBe(false); // Marcus's
    expect(model.totals).toMatchObject({ practices: 8, active: 7, smsReady: 1, needingAction: 6 });
    expect(model.totals.numbers).toEqual({ verified: 1, rejected: 1, pending: 1 });
  });

  it('reports what changed since the previous report', async () => {
    const { model } = await buildReport(t.app.deps.db, input());
    expect(model.changes.verified.items.map((c) => c.accountId)).toEqual(['tp-03']);
    expect(model.changes.rejected.items.map((c) => c.accountId)).toEqual(['tp-04']);
    expect(model.changes.complete.items.map((c) => c.accountId)).toEqual(['tp-07']);
    // A later "since" (the previous report went out after those changes) leaves only later ones.
    const later = await buildReport(t.app.deps.db, input({ since: new Date('2026-11-24T07:00:00Z') }));
    expect(later.model.changes.rejected.total).toBe(0);
    expect(later.model.changes.complete.total).toBe(0);
    expect(later.model.changes.verified.total).toBe(1);
  });

  it('summarises runs, held runs, legacy progress and the status chart', async () => {
    const { model } = await buildReport(t.app.deps.db, input());
    expect(model.runs.items.map((r) => r.id)).toHaveLength(2);
    const sync = model.runs.items.find((r) => r.status === 'completed_with_errors')!;
    expect(sync.counts).toBe('12 read, 1 quarantined, 1 updated, 1 upgraded, 2 failed');
    expect(model.heldRuns.map((r) => r.heldReason)).toEqual(['would deactivate 40% of practices (limit 5%)']);
    expect(model.legacy).toEqual({ legacy: 1, current: 6, unknown: 0, upgradedSince: 1 });
    expect(model.chart.days).toHaveLength(14);
    expect(model.chart.days.at(-1)).toBe('2026-11-24');
    const i13 = model.chart.days.indexOf('2026-11-13');
    expect(model.chart.series.pending![i13]).toBe(0);
    const i23 = model.chart.days.indexOf('2026-11-23');
    // End of 11-23: tp-03 pending, tp-04 rejected, tp-05 pending.
    expect(model.chart.series.pending![i23]).toBe(2);
    expect(model.chart.series.rejected![i23]).toBe(1);
    expect(model.chart.series.verified![model.chart.days.length - 1]).toBe(1);
  });

  it('caps the lists in the body while the CSV keeps every row', async () => {
    const { model, csv } = await buildReport(t.app.deps.db, input({ listCap: 3, pageSize: 2 }));
    expect(model.actions.items).toHaveLength(3);
    expect(model.actions.total).toBe(8);
    expect(csv.actions.trim().split('\r\n')).toHaveLength(1 + 8);
    expect(csv.actions).toContain(`'${FORMULA_NAME.replace(/"/g, '""')}`);
  });

  it('builds the partner-wide report with managers and unassigned practices', async () => {
    const { model } = await buildReport(t.app.deps.db, input({ kind: 'admin', recipient: { email: OPS, name: 'Partner operations' } }));
    const ids = new Set(model.actions.items.map((a) => a.accountId));
    for (const id of ['tp-01', 'tp-21', 'tp-30', 'tp-31', 'tp-40']) expect(ids.has(id)).toBe(true);
    expect(model.managers).toEqual([
      { email: PRIYA, name: 'Priya Raman', practices: 7, needingAction: 6 },
      { email: MARCUS, name: 'Marcus Bell', practices: 2, needingAction: 1 },
      { email: null, name: 'Unassigned (no or unknown manager)', practices: 2, needingAction: 2 },
    ]);
  });
});
