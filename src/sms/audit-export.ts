/**
 * Reading stored audits back out for `updox-sync audit`: a keyset-paged stream of practices with
 * their audit, a CSV writer (src/csv.ts: BOM, CRLF, formula escaping; streamed) and a plain-text table.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Knex } from 'knex';
import type { AuditStatus, Finding } from './business-details';
import { CSV_BOM, csvLines } from '../csv';

export interface AuditRow {
  accountId: string;
  name: string | null;
  managerEmail: string | null;
  status: AuditStatus;
  findings: Finding[];
  auditedAt: Date | null;
  detailsInsufficientAt: Date | null;
}

export async function* streamAuditRows(db: Knex, filter: { status?: AuditStatus; pageSize?: number } = {}): AsyncGenerator<AuditRow> {
  const pageSize = filter.pageSize ?? 1000;
  let after = '';
  for (;;) {
    const q = db('practices').whereNotNull('audit_status').where('account_id', '>', after).orderBy('account_id').limit(pageSize)
      .select('account_id', 'name', 'manager_email', 'audit_status', 'audit_findings', 'audited_at', 'details_insufficient_at');
    if (filter.status) q.where('audit_status', filter.status);
    const rows = await q;
    for (const r of rows) {
      yield {
        accountId: r.account_id, name: r.name, managerEmail: r.manager_email, status: r.audit_status,
        findings: r.audit_findings ?? [], auditedAt: r.audited_at, detailsInsufficientAt: r.details_insufficient_at,
      };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].account_id;
  }
}

export const CSV_HEADER = ['account_id', 'name', 'manager_email', 'status', 'errors', 'warnings', 'finding_codes', 'findings', 'details_insufficient_at', 'audited_at'];

const codeOf = (f: Finding) => `${f.code}${f.field ? `(${f.side === 'partner' ? 'partner.' : ''}${f.field})` : ''}`;

export function auditCells(r: AuditRow): unknown[] {
  return [
    r.accountId, r.name, r.managerEmail, r.status,
    r.findings.filter((f) => f.severity === 'error').length, r.findings.filter((f) => f.severity === 'warning').length,
    r.findings.map(codeOf).join(' '), r.findings.map((f) => `${f.severity}: ${f.message}`).join('; '),
    r.detailsInsufficientAt, r.auditedAt,
  ];
}

/** Stream the rows to a CSV file. Returns the number of data rows written. */
export async function writeAuditCsv(rows: AsyncIterable<AuditRow>, file: string): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (cells: unknown[][], head = '') => {
    if (!out.write(head + csvLines(cells))) await once(out, 'drain');
  };
  let n = 0;
  try {
    await write([CSV_HEADER], CSV_BOM);
    let batch: unknown[][] = [];
    for await (const r of rows) {
      batch.push(auditCells(r));
      n++;
      if (batch.length >= 500) {
        await write(batch);
        batch = [];
      }
    }
    if (batch.length) await write(batch);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}

/** A fixed-width text table: account, name, status, findings (codes). */
export function formatAuditTable(rows: AuditRow[]): string {
  const cells = rows.map((r) => [r.accountId, (r.name ?? '').slice(0, 40), r.status, r.findings.map(codeOf).join(' ') || '-']);
  const head = ['ACCOUNT', 'NAME', 'STATUS', 'FINDINGS'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
