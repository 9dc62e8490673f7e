/**
 * One contract, two transports (STYLE.md §8): what a recipient gets is the same whether it went
 * through a real SMTP server on loopback or was written as an .eml file. Each message is parsed
 * with mailparser and checked: headers, text and HTML parts, the inline chart, the CSV files.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportMessageId } from '../../../src/reports/compose';
import { sendReports } from '../../../src/reports/send';
import { createSmsTestApp, testClock, type SmsTestApp } from '../sms/app-helper';
import { parse } from 'csv-parse/sync';
import { DRY_RUN, FAILED_IMPORT_RUN, FORMULA_NAME, HELD_RUN, MARCUS, NOW, OPS, PRIYA, SCRIPT_NAME, SKIPPED_RUN, SYNC_RUN, seedReportScenario } from './seed';
import { startSmtpCatcher, type SmtpCatcher } from './smtp-catcher';

interface Harness {
  name: 'smtp' | 'eml';
  setup(): Promise<SmsTestApp>;
  /** Every message delivered so far, parsed. */
  messages(): Promise<ParsedMail[]>;
  teardown(): Promise<void>;
}

let smtp: SmtpCatcher;
let dir: string;

const harnesses: Harness[] = [
  {
    name: 'smtp',
    async setup() {
      smtp = await startSmtpCatcher();
      return createSmsTestApp({ SMTP_URL: smtp.url({ user: 'reports', pass: 'sm7p-Secret!' }), MAIL_FROM: 'Updox Sync <reports@partner.example>' }, testClock(NOW));
    },
    messages: async () => smtp.received.map((r) => r.mail),
    teardown: async () => smtp?.close(),
  },
  {
    name: 'eml',
    async setup() {
      dir = await mkdtemp(path.join(tmpdir(), 'updox-reports-'));
      return createSmsTestApp({ MAIL_FROM: 'Updox Sync <reports@partner.example>' }, testClock(NOW));
    },
    async messages() {
      const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.eml')).sort();
      return Promise.all(files.map(async (f) => simpleParser(await readFile(path.join(dir, f)), { keepCidLinks: true })));
    },
    teardown: async () => rm(dir, { recursive: true, force: true }),
  },
];

describe.each(harnesses)('report delivery over $name', (h) => {
  let t: SmsTestApp;
  const outDir = () => (h.name === 'eml' ? { outDir: dir } : {});
  beforeAll(async () => {
    t = await h.setup();
    await seedReportScenario(t.app.deps.db);
  });
  afterAll(async () => {
    await t?.close();
    await h.teardown();
  });
  const find = async (to: string) => (await h.messages()).find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text.includes(to));

  it('delivers one report per manager and one partner-wide report to the admins', async () => {
    const res = await sendReports(t.app.deps, { period: '2026-11-24', retry: { attempts: 2, baseMs: 10 }, ...outDir() });
    expect(res.transport).toBe(h.name);
    expect(res.failed).toBe(0);
    expect(h.name === 'smtp' ? res.sent : res.written).toBe(3);
    expect(res.recipients.map((r) => `${r.kind} ${r.recipient}`)).toEqual([`manager ${PRIYA}`, `manager ${MARCUS}`, `admin ${OPS}`]);
    expect(await h.messages()).toHaveLength(3);
    const rows = await t.app.deps.db('report_deliveries').orderBy('id');
    expect(rows.map((r) => r.status)).toEqual(Array(3).fill(h.name === 'smtp' ? 'sent' : 'written'));
    expect(rows.every((r) => r.attempts === 1 && r.message_id && r.sent_at)).toBe(true);
    if (h.name === 'smtp') {
      expect(smtp.authUsers).toContain('reports');
      expect(smtp.received.find((r) => r.rcptTo.includes(PRIYA))).toBeTruthy();
    }
  });

  it('carries the headers, a text and an HTML part with user data escaped', async () => {
    const m = (await find(PRIYA))!;
    expect(m).toBeTruthy();
    expect((Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]).toEqual({ address: PRIYA, name: 'Priya Raman' });
    expect(m.from!.value[0]).toEqual({ address: 'reports@partner.example', name: 'Updox Sync' });
    expect(m.subject).toBe('Test Partner SMS readiness 2026-11-24 (Priya Raman): 6 practices need action (8 issues)');
    expect(m.messageId).toBe(reportMessageId('test-partner', PRIYA, 'manager', '2026-11-24'));
    expect(m.headers.get('x-updox-sync-report')).toBe('manager; period=2026-11-24');
    expect(m.text).toContain('PRACTICES NEEDING ACTION (6)');
    expect(m.text).toContain("What to do: The practice's portal web address is already used by another Updox practice.");
    const html = String(m.html);
    expect(html).toContain('Clinic &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('id="actions"');
    expect(html).toContain('Rejected Dermatology');
    expect(html).not.toContain('Marcus Incomplete Clinic');
  });

  it('embeds the chart inline as a PNG referenced by Content-ID', async () => {
    const m = (await find(PRIYA))!;
    const chart = m.attachments.find((a) => a.contentType === 'image/png')!;
    expect(chart).toBeTruthy();
    expect(chart.contentDisposition).toBe('inline');
    expect(String(m.html)).toContain(`cid:${chart.cid}`);
    expect(chart.content.length).toBeGreaterThan(2000);
    const png = PNG.sync.read(chart.content);
    expect(png.width).toBeGreaterThanOrEqual(640);
    expect(png.height).toBeGreaterThanOrEqual(260);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(3); // bars in several status colours, not a blank image
  });

  it('attaches CSV files that are safe to open in a spreadsheet', async () => {
    const m = (await find(PRIYA))!;
    const actions = m.attachments.find((a) => a.filename === 'actions.csv')!;
    const changes = m.attachments.find((a) => a.filename === 'changes.csv')!;
    expect(actions.contentType).toBe('text/csv');
    const text = actions.content.toString('utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('account_id,practice,manager,issue,number,what_to_do,fix_at,since');
    expect(lines).toHaveLength(9);
    const formulaLine = lines.find((l) => l.startsWith('tp-02,'))!;
    expect(formulaLine.split(',')[1]).toBe(`"'=HYPERLINK(""http://evil.example""`);
    for (const l of lines) for (const cell of l.split(',')) expect(cell).not.toMatch(/^"?[=+@]/);
    expect(text).toContain(SCRIPT_NAME); // CSV is data, not markup: shown as the raw text
    expect(changes.content.toString('utf8')).toContain('number verified,tp-03');
    expect(FORMULA_NAME.startsWith('=')).toBe(true);
  });

  it('gives the admins the unassigned practices and a line per manager', async () => {
    const m = (await find(OPS))!;
    expect(m.subject).toContain('(partner-wide)');
    const html = String(m.html);
    expect(html).toContain('Orphan Clinic');
    expect(html).toContain('Ghost-managed Clinic');
    expect(html).toContain('Unassigned (no or unknown manager)');
    expect(m.text).toContain('BY MANAGER');
    expect(m.text).toContain('RUNS HELD FOR APPROVAL');
    expect(m.text).toContain(`updox-sync approve ${HELD_RUN}`);
  });

  it.each([PRIYA, OPS])('counts each thing once, the same in the subject, HTML, text and CSV (%s)', async (who) => {
    const m = (await find(who))!;
    const [, practices, issues] = /: (\d+) practices? needs? action \((\d+) issues?\)$/.exec(m.subject ?? '')!.map(Number);
    expect(practices).toBeGreaterThan(0);
    expect(issues).toBeGreaterThan(practices!);
    const text = m.text ?? '';
    expect(text).toContain(`PRACTICES NEEDING ACTION (${practices})`);
    expect(text).toContain(`${issues} issues across ${practices} practices`);
    expect(text.match(/^\* /gm)).toHaveLength(practices!);
    const html = String(m.html);
    expect(html).toContain(`Practices needing action (${practices})</h2>`);
    expect(html).toContain(`>${practices} practices need action (${issues} issues).</div>`);
    expect(html).toMatch(new RegExp(`>${practices}</div><div [^>]*>practices need action</div>`));
    expect(html.match(/class="practice"/g)).toHaveLength(practices!);
    const csv = parse(m.attachments.find((a) => a.filename === 'actions.csv')!.content, { bom: true, columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(issues!);
    expect(new Set(csv.map((r) => r.account_id)).size).toBe(practices);
    expect(html).toContain(`actions.csv (${issues} issues)`);
  });

  it("keeps a manager's report to what the manager acts on: no run ids, codes, file paths, dry or skipped runs", async () => {
    const parts = async (who: string) => {
      const m = (await find(who))!;
      const html = String(m.html).replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ');
      const csv = m.attachments.filter((a) => a.filename?.endsWith('.csv')).map((a) => a.content.toString('utf8')).join('\n');
      return `${m.subject}\n${m.text}\n${html}\n${csv}`.replace(/https?:\/\/\S+/g, ' ');
    };
    const manager = await parts(PRIYA);
    expect(manager).not.toMatch(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/); // run ids
    expect(manager).not.toMatch(/\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b/); // error and reason codes
    expect(manager).not.toMatch(/\b(?:4060|4140|4039|2000)\b/); // vendor codes
    expect(manager).not.toMatch(/(?:^|[\s(])(?:\/|\.\.?\/)[\w.-]+\/[\w./-]+/m); // file paths
    expect(manager).not.toMatch(/\b(?:dry run|skipped|held|quarantined|runs?)\b/i);
    // The same checks fail on the admin report, which keeps the operational part.
    const admin = await parts(OPS);
    for (const id of [SYNC_RUN, HELD_RUN, FAILED_IMPORT_RUN]) expect(admin).toContain(id === SYNC_RUN ? 'completed with errors' : id === HELD_RUN ? id : 'IMPORT_REQUIRED_FIELD_UNMAPPED');
    expect(admin).toContain('/srv/partner/rosters/roster-2026-11-24.csv');
    expect(admin).toContain('(dry run)');
    expect(admin).toContain('skipped');
    expect(admin).toContain('Updox 4060');
    expect(admin).not.toContain(`approve ${DRY_RUN}`); // a dry run can never be approved: no banner for it
    expect(admin).not.toContain(SKIPPED_RUN);
  });

  it('sends nothing new when the job runs again for the same period', async () => {
    const res = await sendReports(t.app.deps, { period: '2026-11-24', ...outDir() });
    expect(res).toMatchObject({ sent: 0, written: 0, skipped: 3, failed: 0 });
    expect(res.recipients.map((r) => r.reason)).toEqual(Array(3).fill(h.name === 'smtp' ? 'sent' : 'written'));
    expect(await h.messages()).toHaveLength(3);
  });

  it('sends each report once when two workers run the same period concurrently', async () => {
    const [a, b] = await Promise.all([
      sendReports(t.app.deps, { period: '2026-11-25', workerId: 'worker-a', ...outDir() }),
      sendReports(t.app.deps, { period: '2026-11-25', workerId: 'worker-b', ...outDir() }),
    ]);
    const delivered = a.sent + a.written + b.sent + b.written;
    expect(delivered).toBe(3);
    expect(a.skipped + b.skipped).toBe(3);
    const msgs = await h.messages();
    expect(msgs).toHaveLength(6);
    const ids = msgs.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(6);
    const rows = await t.app.deps.db('report_deliveries').where({ period: '2026-11-25' });
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });
});
