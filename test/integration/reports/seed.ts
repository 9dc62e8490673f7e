/**
 * A realistic report scenario, seeded straight into the tables the sync, audit and numbers steps
 * fill: practices of two managers and unassigned ones, failed saves (one a failed create with no
 * practice row yet), a 4039, rejected and overdue numbers, a status history, audit history, runs
 * (one held, one dry run held, one failed import, one skipped). NOW is the clock the tests run at.
 */
import type { Knex } from 'knex';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const PRIYA = 'priya@partner.example';
export const MARCUS = 'marcus@partner.example';
export const OPS = 'ops@partner.example';
export const SCRIPT_NAME = 'Clinic <script>alert(1)</script>';
export const FORMULA_NAME = '=HYPERLINK("http://evil.example","click")';
export const SYNC_RUN = '11111111-1111-4111-8111-111111111111';
export const HELD_RUN = '22222222-2222-4222-8222-222222222222';
export const FAILED_IMPORT_RUN = '44444444-4444-4444-8444-444444444444';
export const SKIPPED_RUN = '55555555-5555-4555-8555-555555555555';
export const DRY_RUN = '66666666-6666-4666-8666-666666666666';

const at = (s: string) => new Date(s);
const missing = (field: string) => ({ code: 'MISSING_FIELD', side: 'account', field, severity: 'error', message: `${field} is missing` });

export async function seedReportScenario(db: Knex): Promise<void> {
  const p = (account_id: string, name: string, manager_email: string | null, extra: Record<string, unknown> = {}) => ({
    account_id, name, manager_email, active: true, api_version: '1.1', audit_status: 'complete', audit_findings: JSON.stringify([]),
    last_status: 'succeeded', last_saved_at: at('2026-11-20T02:00:00Z'), ...extra,
  });
  await db('practices').insert([
    p('tp-01', SCRIPT_NAME, PRIYA, { audit_status: 'incomplete', audit_findings: JSON.stringify([missing('city'), missing('postal')]) }),
    p('tp-02', FORMULA_NAME, PRIYA, { last_status: 'failed', last_code: 4060, last_message: 'Postal code is invalid', last_saved_at: at('2026-11-24T02:05:00Z') }),
    p('tp-03', 'Verified Clinic', PRIYA),
    p('tp-04', 'Rejected Dermatology', PRIYA, { audit_status: 'incomplete', audit_findings: JSON.stringify([missing('websiteUrl')]) }),
    p('tp-05', 'Slow Pediatrics', PRIYA, { api_version: 'legacy' }),
    p('tp-06', 'Insufficient Family Care', PRIYA, { details_insufficient_at: at('2026-11-23T15:00:00Z'), audit_status: 'incomplete', audit_findings: JSON.stringify([missing('address1')]) }),
    p('tp-07', 'Upgraded Now Complete', PRIYA),
    p('tp-08', 'Inactive Closed Clinic', PRIYA, { active: false, audit_status: 'incomplete', audit_findings: JSON.stringify([missing('city')]) }),
    p('tp-20', 'Marcus Fine Clinic', MARCUS),
    p('tp-21', 'Marcus Incomplete Clinic', MARCUS, { audit_status: 'incomplete', audit_findings: JSON.stringify([missing('state')]) }),
    p('tp-30', 'Orphan Clinic', null, { audit_status: 'incomplete', audit_findings: JSON.stringify([missing('postal')]) }),
    p('tp-31', 'Ghost-managed Clinic', 'ghost@partner.example', { api_version: 'legacy', last_status: 'failed', last_code: 4140, last_message: 'Invalid phone' }),
  ]);

  const n = (account_id: string, number: string, status: string, status_since: string, extra: Record<string, unknown> = {}) => ({
    account_id, number, status, raw_status: status.toUpperCase(), status_since: at(status_since), first_seen_at: at('2026-11-10T00:00:00Z'),
    last_seen_at: NOW, overdue: false, missing: false, ...extra,
  });
  await db('sms_numbers').insert([
    n('tp-03', '6145550103', 'verified', '2026-11-24T08:00:00Z'),
    n('tp-04', '6145550104', 'rejected', '2026-11-23T11:00:00Z'),
    n('tp-05', '6145550105', 'pending', '2026-11-15T10:00:00Z', { overdue: true }),
    n('tp-20', '6145550120', 'verified', '2026-11-12T10:00:00Z'),
    n('tp-21', '6145550121', 'pending', '2026-11-23T10:00:00Z'),
  ]);
  const e = (account_id: string, number: string, from: string | null, to: string, observed: string) =>
    ({ account_id, number, from_status: from, to_status: to, raw_status: to.toUpperCase(), source: 'poll', observed_at: at(observed), recorded_at: at(observed) });
  await db('sms_number_events').insert([
    e('tp-03', '6145550103', null, 'pending', '2026-11-14T10:00:00Z'),
    e('tp-03', '6145550103', 'pending', 'verified', '2026-11-24T08:00:00Z'), // newly verified since the last report
    e('tp-04', '6145550104', null, 'pending', '2026-11-14T10:00:00Z'),
    e('tp-04', '6145550104', 'pending', 'rejected', '2026-11-23T11:00:00Z'), // newly rejected (since 11-23 00:00)
    e('tp-05', '6145550105', null, 'pending', '2026-11-15T10:00:00Z'),
    e('tp-20', '6145550120', null, 'pending', '2026-11-11T10:00:00Z'),
    e('tp-20', '6145550120', 'pending', 'verified', '2026-11-12T10:00:00Z'),
    e('tp-21', '6145550121', null, 'pending', '2026-11-23T10:00:00Z'),
  ]);
  await db('business_detail_audits').insert([
    { account_id: 'tp-07', status: 'incomplete', findings: JSON.stringify([missing('address1')]), findings_hash: 'a', audited_at: at('2026-11-20T06:00:00Z') },
    { account_id: 'tp-07', status: 'complete', findings: JSON.stringify([]), findings_hash: 'b', audited_at: at('2026-11-24T06:00:00Z') },
    { account_id: 'tp-01', status: 'incomplete', findings: JSON.stringify([missing('city'), missing('postal')]), findings_hash: 'c', audited_at: at('2026-11-19T06:00:00Z') },
  ]);

  await db('runs').insert([
    { id: SYNC_RUN, kind: 'sync', partner_id: 'test-partner', source: 'small', status: 'completed_with_errors', trigger: 'schedule',
      import_stats: JSON.stringify({ read: 12, valid: 11, quarantined: 1 }), created_at: at('2026-11-24T02:00:00Z'), finished_at: at('2026-11-24T02:06:00Z') },
    { id: HELD_RUN, kind: 'sync', partner_id: 'test-partner', source: 'other', status: 'held', trigger: 'schedule',
      held_reason: 'would deactivate 40% of practices (limit 5%)', created_at: at('2026-11-24T03:00:00Z') },
    // Operational noise a manager must not see: a failed import naming a file and an error code, a
    // skipped run, a held dry run (which can never be approved).
    { id: FAILED_IMPORT_RUN, kind: 'sync', partner_id: 'test-partner', source: 'nightly', status: 'failed', trigger: 'schedule',
      error_code: 'IMPORT_REQUIRED_FIELD_UNMAPPED', error_message: 'no column maps to name in /srv/partner/rosters/roster-2026-11-24.csv (columns: ID, NPI, …)',
      created_at: at('2026-11-24T01:00:00Z'), finished_at: at('2026-11-24T01:00:05Z') },
    { id: SKIPPED_RUN, kind: 'sync', partner_id: 'test-partner', source: 'nightly', status: 'skipped', trigger: 'schedule',
      error_code: 'RUN_IN_PROGRESS', error_message: 'another run of nightly is active', created_at: at('2026-11-24T01:30:00Z'), finished_at: at('2026-11-24T01:30:00Z') },
    { id: DRY_RUN, kind: 'sync', partner_id: 'test-partner', source: 'nightly', status: 'held', dry_run: true, trigger: 'cli',
      held_reason: 'would deactivate 90% of practices (limit 5%)', created_at: at('2026-11-24T04:00:00Z') },
  ]);
  const payload = JSON.stringify({ accountId: 'x' });
  // A failed create: no practices row; the report names it from the outbox row, as the plan wrote
  // it (the payload it would have saved, the roster's manager).
  const create = JSON.stringify({ accountId: 'tp-40', name: 'Brand New Practice', phone: '614555010', active: 'true' });
  await db('sync_actions').insert([
    { run_id: SYNC_RUN, account_id: 'tp-40', external_id: 'E40', op: 'create', payload: create, payload_hash: 'h1', source: 'small', manager_email: PRIYA, status: 'failed', attempts: 1, code: 4140, message: 'Phone number must be 10 digits', finished_at: at('2026-11-24T02:03:00Z') },
    { run_id: SYNC_RUN, account_id: 'tp-02', external_id: 'E02', op: 'update', payload, payload_hash: 'h2', status: 'failed', attempts: 1, code: 4060, message: 'Postal code is invalid', finished_at: at('2026-11-24T02:05:00Z') },
    { run_id: SYNC_RUN, account_id: 'tp-03', external_id: 'E03', op: 'update', payload, payload_hash: 'h3', status: 'succeeded', attempts: 1, code: 2000, finished_at: at('2026-11-24T02:04:00Z') },
    { run_id: SYNC_RUN, account_id: 'tp-07', external_id: 'E07', op: 'upgrade', payload, payload_hash: 'h4', status: 'succeeded', attempts: 1, code: 2000, finished_at: at('2026-11-24T02:04:30Z') },
  ]);
}
