import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../src/app';
import { auditPractices } from '../../../src/sms/audit';
import { streamAuditRows, writeAuditCsv } from '../../../src/sms/audit-export';
import { FINDING_CODES, type PartnerBusinessDetails } from '../../../src/sms/business-details';
import { markDetailsInsufficient } from '../../../src/sms/insufficient';
import { createSmsTestApp, seedPractices, type SmsTestApp } from './app-helper';

let t: SmsTestApp;
const good = { name: 'Riverside', address1: '12 Elm Street', city: 'Columbus', state: 'OH', postal: '43215', country: 'US', website_url: 'https://r.example' };

beforeAll(async () => {
  t = await createSmsTestApp();
  await seedPractices(t.app, [
    { account_id: 'p01-complete', ...good },
    { account_id: 'p02-missing', ...good, name: null, address1: null, city: null, state: null, postal: null },
    { account_id: 'p03-state', ...good, state: 'Ohio' },
    { account_id: 'p04-postal', ...good, postal: '4321' },
    { account_id: 'p05-pobox', ...good, address1: 'PO Box 77' },
    { account_id: 'p06-pobox-primary', ...good, address1: 'PO Box 77', address2: '12 Elm Street' },
    { account_id: 'p07-fallback', ...good, website_url: null },
    { account_id: 'p08-alt-only', ...good, website_url: null, alternative_website_url: 'https://social.example/r' },
    { account_id: 'p09-bad-url', ...good, website_url: 'r.example' },
    { account_id: 'p10-legacy-noaddr', ...good, address1: null, api_version: 'legacy' },
    { account_id: 'p11-legacy', ...good, api_version: 'legacy' },
    { account_id: 'p12-territory', ...good, state: 'PR', postal: '00901' },
    { account_id: 'p13-foreign', ...good, country: 'CA' },
    { account_id: 'p14-no-country', ...good, country: null },
    { account_id: 'p15-formula', ...good, name: '=HYPERLINK("http://evil.example")', website_url: null },
    { account_id: 'p16-inactive', ...good, name: null, active: false },
    { account_id: 'p17-street-and-box', ...good, address1: '6801 AIRPORT BOULEVARD, PO BOX 850429' },
    { account_id: 'p18-rural-route', ...good, address1: 'RR 8 BOX 3311' },
    { account_id: 'p19-roster-dropped', ...good },
  ]);
  // The latest import of its source dropped the roster's junk website (normalize.ts OPTIONAL_FIELDS).
  const db = t.app.deps.db;
  const [old] = await db('runs').insert({ kind: 'import', partner_id: 'test-partner', source: 'roster', status: 'succeeded', trigger: 'test', import_stats: '{}', created_at: new Date(Date.now() - 60_000) }).returning('id');
  const [run] = await db('runs').insert({ kind: 'import', partner_id: 'test-partner', source: 'roster', status: 'succeeded', trigger: 'test', import_stats: '{}' }).returning('id');
  const dropped = (n: number) => JSON.stringify([{ field: 'websiteUrl', rule: 'dropped', message: `not a URL: "red bud ${n}" [invalid]: dropped, the row goes on` }]);
  await db('roster_rows').insert([
    { run_id: (old as { id: string }).id, row_number: 2, external_id: 'p01', account_id: 'p01-complete', name: 'Riverside', warnings: dropped(1) },
    { run_id: (run as { id: string }).id, row_number: 2, external_id: 'p19', account_id: 'p19-roster-dropped', name: 'Riverside', warnings: dropped(2) },
  ]);
});
afterAll(async () => { await t?.close(); });

const withPartner = (p: Partial<PartnerBusinessDetails>): AppDeps => {
  const d = t.app.deps;
  return { ...d, config: { ...d.config, partner: { ...d.config.partner, businessDetails: { ...d.config.partner.businessDetails, ...p } } } };
};

describe('auditPractices', () => {
  it('stores status and findings per practice, in pages, and skips inactive practices', async () => {
    const stats = await auditPractices(t.app.deps, { pageSize: 4, runId: '00000000-0000-4000-8000-000000000001' });
    expect(stats).toEqual({ audited: 18, complete: 1, warnings: 10, incomplete: 7, changed: 18 });
    const rows = await t.app.deps.db('practices').orderBy('account_id').select('account_id', 'audit_status', 'audited_at');
    expect(rows.find((r) => r.account_id === 'p01-complete')?.audit_status).toBe('complete');
    expect(rows.find((r) => r.account_id === 'p05-pobox')?.audit_status).toBe('incomplete');
    expect(rows.find((r) => r.account_id === 'p16-inactive')?.audit_status).toBeNull();
    expect(await t.app.deps.db('business_detail_audits').count<{ count: string }[]>('* as count')).toEqual([{ count: '18' }]);
    // Only the latest import of a source counts: p01's dropped value was in an older one.
    const p19 = await t.app.deps.db('practices').where({ account_id: 'p19-roster-dropped' }).first();
    expect(p19.audit_status).toBe('warnings');
    expect(p19.audit_findings).toEqual([expect.objectContaining({ code: 'ROSTER_VALUE_DROPPED', field: 'websiteUrl', message: expect.stringContaining('red bud 2') })]);
    expect((await t.app.deps.db('business_detail_audits').first()).run_id).toBe('00000000-0000-4000-8000-000000000001');
  });

  it('appends history only when findings change', async () => {
    const again = await auditPractices(t.app.deps);
    expect(again.changed).toBe(0);
    await t.app.deps.db('practices').where({ account_id: 'p03-state' }).update({ state: 'OHX' }); // same problem, other value
    expect((await auditPractices(t.app.deps)).changed).toBe(0);
    await t.app.deps.db('practices').where({ account_id: 'p03-state' }).update({ state: 'OH' });
    expect((await auditPractices(t.app.deps)).changed).toBe(1);
    const hist = await t.app.deps.db('business_detail_audits').where({ account_id: 'p03-state' }).orderBy('id').pluck('status');
    expect(hist).toEqual(['incomplete', 'complete']);
  });

  it('rewrites no practice when nothing changed, and only the one whose findings or wording changed', async () => {
    const db = t.app.deps.db;
    const versions = async () => new Map((await db.raw('SELECT account_id, xmin::text AS v FROM practices')).rows.map((r: { account_id: string; v: string }) => [r.account_id, r.v]));
    await auditPractices(t.app.deps);
    const before = await versions();
    const stats = await auditPractices(t.app.deps, { pageSize: 4 });
    expect(stats.audited).toBe(18);
    const same = await versions();
    expect([...same].filter(([id, v]) => before.get(id) !== v).map(([id]) => id)).toEqual([]);
    await db('practices').where({ account_id: 'p03-state' }).update({ state: 'ZZ' }); // the same problem, another value in the message
    const touched = await versions();
    await auditPractices(t.app.deps);
    const after = await versions();
    const rewritten = [...after].filter(([id, v]) => touched.get(id) !== v).map(([id]) => id);
    expect(rewritten).toEqual(['p03-state']);
    expect((await db('practices').where({ account_id: 'p03-state' }).first()).audit_findings).toEqual([expect.objectContaining({ message: expect.stringContaining('ZZ') })]);
  });

  it('covers every finding code on real Postgres (partner-side codes via partner variants)', async () => {
    const variants: Partial<PartnerBusinessDetails>[] = [
      { contactFirstName: 'Front', contactLastName: 'Desk', contactEmail: 'info@partner.example', contactPhone: '555' },
      { website: '', contactFirstName: '', contactEmail: 'not-an-email' },
      { website: 'not a url' },
      {},
    ];
    for (const v of variants) await auditPractices(withPartner(v));
    const seen = await t.app.deps.db.raw(`SELECT DISTINCT f->>'code' AS code FROM business_detail_audits, jsonb_array_elements(findings) f`);
    const codes = new Set((seen.rows as { code: string }[]).map((r) => r.code));
    expect([...FINDING_CODES].filter((c) => !codes.has(c))).toEqual([]);
    // Back to the configured partner: the stored audit reflects it.
    const p01 = await t.app.deps.db('practices').where({ account_id: 'p01-complete' }).first();
    expect(p01.audit_status).toBe('complete');
  });

  it('writes a formula-safe CSV filtered by status', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'out.csv');
    const n = await writeAuditCsv(streamAuditRows(t.app.deps.db, { status: 'warnings', pageSize: 2 }), file);
    const raw = readFileSync(file, 'utf8');
    expect(raw.startsWith('\uFEFFaccount_id,')).toBe(true);
    expect(raw.split('\r\n').length).toBe(n + 2); // CRLF line ends, a header and a last empty line
    const records = parse(raw, { columns: true, bom: true }) as Record<string, string>[];
    expect(records).toHaveLength(n);
    expect(records.every((r) => r.status === 'warnings')).toBe(true);
    const evil = records.find((r) => r.account_id === 'p15-formula');
    expect(evil?.name).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(evil?.finding_codes).toContain('WEBSITE_FALLBACK(websiteUrl)');
  });
});

describe('markDetailsInsufficient', () => {
  it('stamps the practice and returns its audit findings', async () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const res = await markDetailsInsufficient(t.app.deps.db, 'p05-pobox', at, 'On file account business information is insufficient for verification.');
    expect(res).toMatchObject({ found: true, auditStatus: 'incomplete', computed: false });
    expect(res.findings.map((f) => f.code)).toContain('PO_BOX_ONLY');
    expect(res.summary).toContain('PO_BOX_ONLY(address1)');
    const row = await t.app.deps.db('practices').where({ account_id: 'p05-pobox' }).first();
    expect(row.details_insufficient_at.toISOString()).toBe(at.toISOString());
  });

  it('computes findings for a practice never audited, and reports an unknown account', async () => {
    const partner = t.app.deps.config.partner.businessDetails;
    const res = await markDetailsInsufficient(t.app.deps.db, 'p16-inactive', new Date(), '4039', partner);
    expect(res).toMatchObject({ found: true, computed: true, auditStatus: 'incomplete' });
    expect((await markDetailsInsufficient(t.app.deps.db, 'nope', new Date(), '4039')).found).toBe(false);
  });
});
