import { existsSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportInput } from '../../../src/reports/model';
import type { CsvFile } from '../../../src/reports/csv-file';
import { parsePeriod } from '../../../src/reports/period';
import { businessDaysElapsed, makeBusinessCalendar } from '../../../src/sms/business-days';
import { createSmsTestApp, testClock, type SmsTestApp } from '../sms/app-helper';
import { FORMULA_NAME, MARCUS, NOW, OPS, PRIYA, SCRIPT_NAME, seedReportScenario } from './seed';


let t: SmsTestApp;
beforeAll(async () => {
  t = await createSmsTestApp({}, testClock(NOW));
  await seedReportScenario(t.app.deps.db);
});
afterAll(async () => t?.close());

const period = parsePeriod('2026-11-24', 'UTC');
const calendar = makeBusinessCalendar({ timeZone: 'UTC' });
const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  kind: 'manager', recipient: { email: PRIYA, name: 'Priya Raman' }, partner: { id: 'test-partner', name: 'Test Partner' },
  managers: [{ email: PRIYA, name: 'Priya Raman' }, { email: MARCUS, name: 'Marcus Bell' }],
  period, since: new Date('2026-11-23T00:00:00Z'), previousReport: null, previousFailure: null, now: NOW,
  contact: 'Partner operations (ops@partner.example)', businessDaysBetween: (a, b) => businessDaysElapsed(a, b, calendar), ...over,
});

/** Builds a report, reads its CSVs and removes their files (checked gone). */
async function build(db: Knex, i: ReportInput) {
  const built = await buildReport(db, i);
  const files = [built.csv.actions, built.csv.changes].map((c) => (c as CsvFile).path);
  const [actions, changes] = files.map((f) => readFileSync(f, 'utf8'));
  await built.dispose();
  for (const f of files) expect(existsSync(f)).toBe(false);
  return { model: built.model, csv: { actions: actions!, changes: changes!, rows: built.csv.actions.rows } };
}

describe('report model', () => {
  it("lists a manager's practices needing action, most urgent first, each with its issues and one action", async () => {
    const { model } = await build(t.app.deps.db, input());
    const rows = model.practices.items.map((p) => `${p.accountId}: ${p.issues.map((i) => `${i.reason}${i.number ? ` ${i.number}` : ''}`).join(', ')}`);
    expect(rows).toEqual([
      'tp-02: SAVE_FAILED', 'tp-40: SAVE_FAILED', 'tp-06: DETAILS_INSUFFICIENT, DETAILS_INCOMPLETE', 'tp-04: NUMBER_REJECTED 6145550104, DETAILS_INCOMPLETE',
      'tp-01: DETAILS_INCOMPLETE', 'tp-05: NUMBER_OVERDUE 6145550105',
    ]);
    const by = Object.fromEntries(model.practices.items.map((p) => [p.accountId, p]));
    expect(by['tp-02']!.action).toBe('Updox refused some details (Postal code is invalid). Correct them in the practice record; the next sync sends them again.');
    expect(by['tp-02']!.practiceName).toBe(FORMULA_NAME);
    expect(by['tp-02']!.issues[0]!.vendorCode).toBe(4060);
    // A failed create has no practice row: name and manager come from the roster row.
    expect(by['tp-40']).toMatchObject({ practiceName: 'Brand New Practice', action: expect.stringMatching(/^The practice's portal web address is already used/) });
    expect(by['tp-01']!.action).toBe("Add the practice's city and ZIP code.");
    expect(by['tp-01']!.practiceName).toBe(SCRIPT_NAME);
    expect(by['tp-06']!.action).toBe("Updox could not verify the business details on file. Add the practice's street address.");
    expect(by['tp-04']!.action).toBe("The carrier rejected the number (614) 555-0104. Add the practice's website. Then ask Partner operations (ops@partner.example) to resubmit the number.");
    // Pending since Sunday 11-15: business days Mon 16 … Tue 24 (00:00 UTC) = 6.
    expect(by['tp-05']!.action).toMatch(/^The number \(614\) 555-0105 has waited 6 business days for carrier verification\./);
    expect(by['tp-01']!.fixAt).toEqual({ ask: 'Partner operations (ops@partner.example)' });
    expect(model.practices.items.some((p) => p.accountId === 'tp-08')).toBe(false); // inactive
    expect(model.practices.items.some((p) => p.accountId === 'tp-21')).toBe(false); // Marcus's
    expect(model.totals).toMatchObject({ practices: 8, active: 7, smsReady: 1, practicesNeedingAction: 6, issues: 8 });
    expect(model.issueCounts).toEqual({ SAVE_FAILED: 2, DETAILS_INSUFFICIENT: 1, NUMBER_REJECTED: 1, DETAILS_INCOMPLETE: 3, NUMBER_OVERDUE: 1 });
    expect(model.totals.numbers).toEqual({ verified: 1, rejected: 1, pending: 1 });
    expect(model.admin).toBeNull();
  });

  it('links each practice to the Partner Portal when reports.portalUrl is set', async () => {
    const { model, csv } = await build(t.app.deps.db, input({ portalUrl: 'https://portal.example/p/{accountId}?tab=details' }));
    expect(model.practices.items[0]!.fixAt).toEqual({ url: 'https://portal.example/p/tp-02?tab=details' });
    expect(csv.actions).toContain('https://portal.example/p/tp-40?tab=details');
  });

  it('reports what changed since the previous report', async () => {
    const { model } = await build(t.app.deps.db, input());
    expect(model.changes.verified.items.map((c) => c.accountId)).toEqual(['tp-03']);
    expect(model.changes.rejected.items.map((c) => c.accountId)).toEqual(['tp-04']);
    expect(model.changes.complete.items.map((c) => c.accountId)).toEqual(['tp-07']);
    // A later "since" (the previous report went out after those changes) leaves only later ones.
    const later = await build(t.app.deps.db, input({ since: new Date('2026-11-24T07:00:00Z') }));
    expect(later.model.changes.rejected.total).toBe(0);
    expect(later.model.changes.complete.total).toBe(0);
    expect(later.model.changes.verified.total).toBe(1);
  });

  it("counts a number's first observation as a change only when the account's numbers were seen before, or a webhook brought it", async () => {
    const db = t.app.deps.db;
    const seen = (account_id: string, number: string, status: string, observed: string, source = 'poll') => ({
      number: { account_id, number, status, raw_status: status.toUpperCase(), status_since: new Date(observed), first_seen_at: new Date(observed), last_seen_at: NOW, overdue: false, missing: false },
      event: { account_id, number, from_status: null, to_status: status, raw_status: status.toUpperCase(), source, observed_at: new Date(observed), recorded_at: new Date(observed) },
    });
    const rows = [
      seen('tp-03', '6145550193', 'verified', '2026-11-23T09:00:00Z'), // added to an account seen since 11-10
      seen('tp-07', '6145550197', 'verified', '2026-11-23T09:00:00Z'), // tp-07's first check: its history starts
      seen('tp-07', '6145550198', 'rejected', '2026-11-23T09:00:00Z'),
      seen('tp-06', '6145550196', 'verified', '2026-11-23T10:00:00Z', 'webhook'), // first heard of by webhook
    ];
    await db('sms_numbers').insert(rows.map((r) => r.number));
    await db('sms_number_events').insert(rows.map((r) => r.event));
    try {
      const { model, csv } = await build(db, input());
      expect(model.changes.verified.items.map((c) => `${c.accountId} ${c.number}`).sort()).toEqual(['tp-03 6145550103', 'tp-03 6145550193', 'tp-06 6145550196']);
      expect(model.changes.rejected.items.map((c) => c.accountId)).toEqual(['tp-04']);
      expect(csv.changes).toContain('6145550193');
      expect(csv.changes).not.toContain('6145550197');
    } finally {
      await db('sms_number_events').whereIn('number', rows.map((r) => r.number.number)).delete();
      await db('sms_numbers').whereIn('number', rows.map((r) => r.number.number)).delete();
    }
  });

  it('rebuilds the status chart from the history', async () => {
    const { model } = await build(t.app.deps.db, input());
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

  it('caps the practices in the body while the CSV keeps every issue', async () => {
    const { model, csv } = await build(t.app.deps.db, input({ listCap: 3, pageSize: 2 }));
    expect(model.practices.items).toHaveLength(3);
    expect(model.practices.total).toBe(6);
    expect(model.totals.issues).toBe(8);
    expect(csv.actions.trim().split('\r\n')).toHaveLength(1 + 8);
    expect(csv.rows).toBe(8);
    expect(csv.actions).toContain(`'${FORMULA_NAME.replace(/"/g, '""')}`);
  });

  it('gives the admins the operational sections: held runs (not dry runs), managers, runs, number freshness, legacy', async () => {
    const { model } = await build(t.app.deps.db, input({ kind: 'admin', recipient: { email: OPS, name: 'Partner operations' } }));
    const ids = new Set(model.practices.items.map((p) => p.accountId));
    for (const id of ['tp-01', 'tp-21', 'tp-30', 'tp-31', 'tp-40']) expect(ids.has(id)).toBe(true);
    const sections = Object.fromEntries(model.admin!.sections.map((s) => [s.id, s]));
    expect(Object.keys(sections)).toEqual(['held-runs', 'by-manager', 'runs', 'numbers-freshness', 'legacy']);
    // No account has been checked under the budgeted pull yet: every active one is overdue.
    expect(sections['numbers-freshness']).toMatchObject({ tone: 'alert' });
    expect(sections['numbers-freshness']!.notes[1]).toBe('11 active accounts of 11 overdue for a number check (11 never checked): raise numbers.budget or numbers.windowHours, or run `updox-sync numbers --all`.');
    expect(sections['held-runs']!.notes).toHaveLength(1);
    expect(sections['held-runs']!.notes[0]).toContain('would deactivate 40% of practices (limit 5%)');
    expect(sections['by-manager']!.table!.rows).toEqual([
      ['Priya Raman', PRIYA, '7', '6'], ['Marcus Bell', MARCUS, '2', '1'], ['Unassigned (no or unknown manager)', '', '2', '2'],
    ]);
    const runs = sections.runs!.table!;
    expect(runs.total).toBe(5);
    expect(sections.runs!.notes).toEqual(['4 of them need attention: held, completed with errors, failed.']);
    expect(runs.rows.find((r) => r[2] === 'completed with errors')![3]).toBe('12 read, 1 quarantined, 1 updated, 1 upgraded, 2 failed');
    expect(runs.rows.some((r) => r[1] === 'sync · nightly (dry run)')).toBe(true);
    expect(runs.rows.find((r) => r[2] === 'failed')![3]).toContain('IMPORT_REQUIRED_FIELD_UNMAPPED: no column maps to name in /srv/partner/rosters/');
    expect(sections.legacy!.notes[0]).toBe('9 of 11 on PracticeSave/1.1 (82%), 2 still legacy; 1 upgraded since the last report.');
  });

  it('says how fresh the number data is: the oldest observation, and the accounts overdue for a check', async () => {
    const db = t.app.deps.db;
    const active = (await db('practices').whereNot({ active: false }).orderBy('account_id').pluck('account_id')) as string[];
    const oldest = (await db('sms_numbers').join('practices', 'practices.account_id', 'sms_numbers.account_id')
      .whereNot('practices.active', false).where('sms_numbers.missing', false).min('sms_numbers.last_seen_at as at').first()) as { at: Date };
    // Checked an hour ago; all but two due again tomorrow, those two an hour ago.
    await db('number_checks').insert(active.map((id, i) => ({
      account_id: id, checked_at: new Date(NOW.getTime() - 3_600_000), reason: 'verified',
      next_check_at: new Date(NOW.getTime() + (i < 2 ? -3_600_000 : 86_400_000)),
    })));
    try {
      const { model } = await build(db, input({ kind: 'admin', recipient: { email: OPS, name: 'Partner operations' } }));
      const f = model.admin!.sections.find((s) => s.id === 'numbers-freshness')!;
      expect(f.notes[0]).toBe(`Oldest number observation: ${oldest.at.toISOString().slice(0, 16).replace('T', ' ')}.`);
      expect(f.notes[1]).toBe(`2 active accounts of ${active.length} overdue for a number check: raise numbers.budget or numbers.windowHours, or run \`updox-sync numbers --all\`.`);
      await db('number_checks').update({ next_check_at: new Date(NOW.getTime() + 86_400_000) });
      const { model: fresh } = await build(db, input({ kind: 'admin', recipient: { email: OPS, name: 'Partner operations' } }));
      const g = fresh.admin!.sections.find((s) => s.id === 'numbers-freshness')!;
      expect(g).toMatchObject({ tone: 'info', notes: [f.notes[0], `Every one of the ${active.length} active accounts was checked on time.`] });
    } finally {
      await db('number_checks').delete();
    }
  });
});
