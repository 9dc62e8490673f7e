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
import { FORMULA_NAME, MARCUS, NOW, OPS, PRIYA, SCRIPT_NAME, seedReportScenario } from './seed';
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
    expect(m.subject).toBe('Test Partner SMS readiness 2026-11-24 (Priya Raman): 6 practices need action');
    expect(m.messageId).toBe(reportMessageId('test-partner', PRIYA, 'manager', '2026-11-24'));
    expect(m.headers.get('x-updox-sync-report')).toBe('manager; period=2026-11-24');
    expect(m.text).toContain('NEEDS ACTION (8)');
    expect(m.text).toContain('Updox 4140: Phone number must be 10 digits');
    expect(m.text).toContain('HELD: run');
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
    expect(lines[0]).toBe('account_id,practice,manager,reason,reason_code,number,vendor_code,what_to_fix,since');
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
