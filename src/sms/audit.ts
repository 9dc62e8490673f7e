/**
 * `auditPractices`: run the pure business-details audit over the `practices` table in keyset pages
 * (bounded memory), store each practice's status and findings where they differ from what is
 * stored (a night with nothing changed writes nothing, so the table does not bloat and the cost
 * grows with what changed; `audited_at` is when the stored findings were found), and append a
 * business_detail_audits row only when its findings changed. "Changed" compares (code, side, field, severity), not the
 * message wording, so a reworded message or a different invalid value for the same problem does not
 * add history. Inactive practices (active = false) keep their last audit.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import { canonical } from '../canonical-json';
import { valuesFromRow } from '../practice';
import { auditPractice, type AuditStatus, type Finding } from './business-details';

export interface AuditStats {
  audited: number;
  complete: number;
  warnings: number;
  incomplete: number;
  /** Practices whose findings changed (a history row was written). */
  changed: number;
}

export interface AuditOptions {
  runId?: string;
  accountIds?: readonly string[];
  pageSize?: number;
}

/** A stable key of what the findings say, independent of wording and order. */
export function findingsHash(findings: readonly Pick<Finding, 'code' | 'side' | 'field' | 'severity'>[]): string {
  const keys = findings.map((f) => [f.side, f.code, f.field ?? '', f.severity].join('|')).sort();
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex');
}

const PRACTICE_COLUMNS = [
  'account_id', 'name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'fax', 'website_url',
  'alternative_website_url', 'website_address', 'time_zone', 'direct_domain', 'direct_address', 'active', 'api_version',
  'audit_status', 'audit_findings',
];

export async function auditPractices(deps: Pick<AppDeps, 'db' | 'config' | 'log' | 'clock'>, opts: AuditOptions = {}): Promise<AuditStats> {
  const log = deps.log.child({ step: 'audit', ...(opts.runId ? { runId: opts.runId } : {}) });
  const pageSize = opts.pageSize ?? 1000;
  const partner = deps.config.partner.businessDetails;
  const stats: AuditStats = { audited: 0, complete: 0, warnings: 0, incomplete: 0, changed: 0 };
  const now = deps.clock.now();
  const dropped = await droppedRosterValues(deps.db);
  let after = '';
  for (;;) {
    const q = deps.db('practices').select(PRACTICE_COLUMNS).where('account_id', '>', after)
      .andWhereRaw('active IS NOT FALSE').orderBy('account_id').limit(pageSize);
    if (opts.accountIds) q.whereIn('account_id', opts.accountIds as string[]);
    const rows = await q as Record<string, unknown>[];
    if (!rows.length) break;
    after = rows[rows.length - 1]!.account_id as string;
    const results = rows.map((r) => {
      const rosterDropped = dropped.get(r.account_id as string);
      const res = auditPractice({ ...valuesFromRow(r), accountId: r.account_id as string, apiVersion: (r.api_version as string | null) ?? null, ...(rosterDropped ? { rosterDropped } : {}) }, partner);
      const hash = findingsHash(res.findings);
      const prev = r.audit_findings as Finding[] | null;
      const changed = r.audit_status === null || prev === null || findingsHash(prev) !== hash;
      // The stored row is rewritten only when what it says differs (the wording included).
      const stale = changed || r.audit_status !== res.status || canonical(prev) !== canonical(res.findings);
      return { accountId: r.account_id as string, ...res, hash, changed, stale };
    });
    if (results.some((r) => r.stale)) await deps.db.transaction((trx) => writePage(trx, results.filter((r) => r.stale), now, opts.runId ?? null));
    for (const r of results) {
      stats.audited++;
      stats[r.status]++;
      if (r.changed) stats.changed++;
    }
    if (rows.length < pageSize) break;
  }
  log.info(stats, 'audit finished');
  return stats;
}

/**
 * Optional values that each source's latest finished import dropped (normalize.ts
 * OPTIONAL_FIELDS), per account: one query over those imports' staged rows that carry a
 * `dropped` warning (few, in any roster worth syncing), so the audit names them too.
 */
async function droppedRosterValues(db: Knex): Promise<Map<string, { field: string; message: string }[]>> {
  const { rows } = await db.raw(`
    WITH latest AS (
      SELECT DISTINCT ON (coalesce(source, '')) id FROM runs
      WHERE import_stats IS NOT NULL AND status <> 'failed' ORDER BY coalesce(source, ''), created_at DESC)
    SELECT r.account_id, w->>'field' AS field, w->>'message' AS message
    FROM roster_rows r CROSS JOIN LATERAL jsonb_array_elements(r.warnings) w
    WHERE r.run_id IN (SELECT id FROM latest) AND r.account_id IS NOT NULL
      AND r.warnings @> '[{"rule":"dropped"}]'::jsonb AND w->>'rule' = 'dropped'`) as { rows: { account_id: string; field: string; message: string }[] };
  const out = new Map<string, { field: string; message: string }[]>();
  for (const r of rows) {
    const list = out.get(r.account_id) ?? [];
    list.push({ field: r.field, message: r.message });
    out.set(r.account_id, list);
  }
  return out;
}

interface PageResult { accountId: string; status: AuditStatus; findings: Finding[]; hash: string; changed: boolean; stale: boolean }

async function writePage(trx: Knex.Transaction, results: PageResult[], now: Date, runId: string | null): Promise<void> {
  await trx.raw(
    `UPDATE practices p SET audit_status = v.status, audit_findings = v.findings, audited_at = ?
     FROM unnest(?::text[], ?::text[], ?::jsonb[]) AS v(account_id, status, findings)
     WHERE p.account_id = v.account_id`,
    [now, results.map((r) => r.accountId), results.map((r) => r.status), results.map((r) => JSON.stringify(r.findings))],
  );
  const history = results.filter((r) => r.changed).map((r) => ({
    account_id: r.accountId, run_id: runId, status: r.status, findings: JSON.stringify(r.findings), findings_hash: r.hash, audited_at: now,
  }));
  if (history.length) await trx('business_detail_audits').insert(history);
}
