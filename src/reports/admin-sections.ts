/**
 * The admin report's operational sections, in the order shown. Each loader reads what it needs and
 * returns a generic ReportSection (a titled table and notes) that every renderer shows the same
 * way, or null to leave it out. To add a section (a new kind of operational state), write its
 * loader and list it in ADMIN_SECTIONS: nothing else changes.
 */
import type { Knex } from 'knex';
import { numberFreshness } from '../sms/number-checks';
import { heldRunsSection, runsSection } from './admin-runs';
import { formatTime, plural } from './format';
import { scopeSql } from './queries';
import type { ReportSection } from './types';

export interface AdminSectionContext {
  db: Knex;
  /** Changes and runs are counted from here. */
  since: Date;
  now: Date;
  timeZone: string;
  listCap: number;
  managers: readonly { email: string; name: string }[];
  /** Practices needing action per manager email (lower-case; '' when unassigned), from the issue list. */
  needing: ReadonlyMap<string, number>;
}

export type AdminSectionLoader = (c: AdminSectionContext) => Promise<ReportSection | null>;

export const ADMIN_SECTIONS: readonly AdminSectionLoader[] = [
  heldRunsSection,
  byManagerSection,
  runsSection,
  numbersFreshnessSection,
  legacySection,
];

export async function loadAdminSections(c: AdminSectionContext): Promise<ReportSection[]> {
  const out: ReportSection[] = [];
  for (const load of ADMIN_SECTIONS) {
    const s = await load(c);
    if (s) out.push(s);
  }
  return out;
}

export const UNASSIGNED = 'Unassigned (no or unknown manager)';

async function byManagerSection(c: AdminSectionContext): Promise<ReportSection> {
  const { rows } = await c.db.raw<{ rows: { email: string | null; n: number }[] }>(
    `SELECT lower(manager_email) AS email, count(*)::int AS n FROM practices WHERE active IS NOT FALSE GROUP BY 1`);
  const known = new Set(c.managers.map((m) => m.email.toLowerCase()));
  const count = new Map(rows.map((r) => [r.email ?? '', r.n]));
  const lines = c.managers.map((m) => [m.name, m.email, String(count.get(m.email.toLowerCase()) ?? 0), String(c.needing.get(m.email.toLowerCase()) ?? 0)]);
  let unPractices = 0;
  let unNeeding = 0;
  for (const [email, n] of count) if (!known.has(email)) unPractices += n;
  for (const [email, n] of c.needing) if (!known.has(email)) unNeeding += n;
  lines.push([UNASSIGNED, '', String(unPractices), String(unNeeding)]);
  return {
    id: 'by-manager', title: 'By manager', tone: 'info', notes: [], empty: 'No managers configured.',
    table: { columns: ['Manager', 'Email', 'Active practices', 'Practices needing action'], rows: lines, total: lines.length },
  };
}

async function legacySection(c: AdminSectionContext): Promise<ReportSection> {
  const s = scopeSql({ all: true }, 'p.manager_email');
  const { rows: [r] } = await c.db.raw<{ rows: { legacy: number; current: number }[] }>(
    `SELECT count(*) FILTER (WHERE p.api_version = 'legacy')::int AS legacy, count(*) FILTER (WHERE p.api_version = '1.1')::int AS current
     FROM practices p WHERE p.active IS NOT FALSE AND ${s.sql}`, s.bindings as Knex.RawBinding[]);
  const { rows: [u] } = await c.db.raw<{ rows: { n: number }[] }>(
    `SELECT count(DISTINCT a.account_id)::int AS n FROM sync_actions a WHERE a.op = 'upgrade' AND a.status = 'succeeded' AND a.finished_at > ?`, [c.since]);
  const legacy = r?.legacy ?? 0;
  const current = r?.current ?? 0;
  const total = legacy + current;
  const upgraded = u?.n ?? 0;
  return {
    id: 'legacy', title: 'Legacy upgrade progress', tone: 'info', table: null, empty: '',
    notes: [total
      ? `${current} of ${total} on PracticeSave/1.1 (${Math.round((current / total) * 100)}%), ${legacy} still legacy${upgraded ? `; ${upgraded} upgraded since the last report` : ''}.`
      : 'No API-version information yet.'],
  };
}

/**
 * How fresh the number data is (numbers are checked by priority within a nightly budget, so not
 * every account is asked every night): the oldest observation, and the accounts overdue for a
 * check or never checked. An alert when some are overdue: the budget or the window is too small.
 */
async function numbersFreshnessSection(c: AdminSectionContext): Promise<ReportSection | null> {
  const f = await numberFreshness(c.db, c.now);
  if (!f.activeAccounts) return null;
  const oldest = f.oldestObservationAt ? formatTime(new Date(f.oldestObservationAt).toISOString(), c.timeZone) : 'none yet';
  const notes = [`Oldest number observation: ${oldest}.`];
  notes.push(f.overdue
    ? `${plural(f.overdue, 'active account')} of ${f.activeAccounts} overdue for a number check${f.neverChecked ? ` (${f.neverChecked} never checked)` : ''}: raise numbers.budget or numbers.windowHours, or run \`updox-sync numbers --all\`.`
    : `Every one of the ${f.activeAccounts} active accounts was checked on time.`);
  return { id: 'numbers-freshness', title: 'Number data freshness', tone: f.overdue ? 'alert' : 'info', table: null, empty: '', notes };
}
