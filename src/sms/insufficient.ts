/**
 * A 4039 ("On file account business information is insufficient for verification", partner notes)
 * from a send or a save: mark the practice and return its current audit findings, so the caller can
 * record WHY next to the vendor's message. The findings come from the last audit; when the practice
 * was never audited they are computed now (pure audit, when `partner` is given) without storing
 * them. The vendor message is not stored (the caller records it on its outbox row); it comes back
 * in `summary` joined to the findings' codes.
 */
import type { Knex } from 'knex';
import type { Config } from '../config';
import { valuesFromRow } from '../practice';
import { auditPractice, type AuditStatus, type Finding } from './business-details';

export interface InsufficientResult {
  found: boolean;
  auditStatus: AuditStatus | null;
  findings: Finding[];
  /** True when the findings were computed now because no stored audit existed. */
  computed: boolean;
  /** The vendor message followed by the findings that explain it, for the caller's outcome message. */
  summary: string;
}

const describe = (message: string, findings: Finding[]): string => {
  const errors = findings.filter((f) => f.severity === 'error');
  const list = (errors.length ? errors : findings).map((f) => `${f.code}${f.field ? `(${f.field})` : ''}`);
  return list.length ? `${message} — audit findings: ${list.join(', ')}` : `${message} — the audit found nothing missing`;
};

export async function markDetailsInsufficient(
  db: Knex, accountId: string, at: Date, message: string,
  partner?: Config['partner']['businessDetails'],
): Promise<InsufficientResult> {
  const [row] = await db('practices').where({ account_id: accountId })
    .update({ details_insufficient_at: at })
    .returning('*') as Record<string, unknown>[];
  if (!row) return { found: false, auditStatus: null, findings: [], computed: false, summary: `${message} — unknown account ${accountId}` };
  if (row.audit_findings) {
    const findings = row.audit_findings as Finding[];
    return { found: true, auditStatus: row.audit_status as AuditStatus, findings, computed: false, summary: describe(message, findings) };
  }
  if (!partner) return { found: true, auditStatus: null, findings: [], computed: false, summary: `${message} — not audited yet` };
  const res = auditPractice({ ...valuesFromRow(row), accountId, apiVersion: (row.api_version as string | null) ?? null }, partner);
  return { found: true, auditStatus: res.status, findings: res.findings, computed: true, summary: describe(message, res.findings) };
}
