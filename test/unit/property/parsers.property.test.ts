/**
 * Properties of the pure parsers that take hostile input: the webhook body, the partner query
 * check, and one roster row → COPY line. Never a crash, never an unnamed error, and the counts
 * always add up. Fixed seed, bounded runs (test/helpers/property.ts; PROPERTY_RUNS for more).
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { parseWebhookBody } from '../../../src/sms/webhook-parse';
import { checkReadOnlyQuery } from '../../../src/roster/read-only-query';
import { COPY_COLUMNS, createRowFormatter } from '../../../src/roster/copy-rows';
import { sourceSchema, ROSTER_FIELDS, type SourceConfig } from '../../../src/config';
import { SyncError } from '../../../src/errors';
import { propertyRuns, propertyTimeoutMs } from '../../helpers/property';

vi.setConfig({ testTimeout: propertyTimeoutMs() });

const WEBHOOK_CODES = new Set(['WEBHOOK_BAD_ENCODING', 'WEBHOOK_BAD_JSON', 'WEBHOOK_CONTROL_CHARACTER', 'WEBHOOK_BAD_PAYLOAD']);

/** Strings with the characters hostile input carries: controls, NUL, quotes, escapes, astral. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\0', '\u001b', '\u0085', '"', "'", '\\', ',', ';', '\t', '\n', '\r', '$', '-', '#', '/', '*', 'é', '🏥', 'a', '1', ' '), maxLength: 40 }),
  fc.constantFrom('', ' ', 'NULL', 'N/A', '=1+1', 'https://x.example', 'red bud regional hospital', '614-555-0100', 'America/Chicago', '\\u0000'),
);

const validEvent = fc.record({
  id: fc.string({ minLength: 1, maxLength: 30 }),
  event: fc.constant('sms_verification_status'),
  occurredAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  accountId: fc.string({ minLength: 1, maxLength: 30 }),
  numbers: fc.array(fc.record({ number: fc.stringMatching(/^\d{10}$/), verificationStatus: fc.string({ minLength: 1, maxLength: 10 }) }), { minLength: 1, maxLength: 3 }),
});

function checkWebhook(raw: Uint8Array) {
  const r = parseWebhookBody(raw);
  if (r.ok) {
    expect(JSON.stringify(r.payload)).not.toMatch(/\\u00[01][0-9a-f]/); // no control character reached the payload
    return r;
  }
  expect(WEBHOOK_CODES.has(r.code), r.code).toBe(true);
  expect([400, 422]).toContain(r.statusCode);
  expect(r.reason.length).toBeGreaterThan(0);
  return r;
}

describe('the webhook parser', () => {
  it('answers every byte string with a payload or a named 4xx', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { checkWebhook(b); }), propertyRuns(300));
  });
  it('answers every JSON value, however nested or strange, the same way', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => { checkWebhook(Buffer.from(JSON.stringify(v) ?? 'null')); }), propertyRuns(300));
  });
  it('accepts every valid event whose strings hold no control character, and refuses one that does with 400', () => {
    fc.assert(fc.property(validEvent, nasty, (evt, s) => {
      const clean = JSON.stringify(evt);
      const r = checkWebhook(Buffer.from(clean));
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      const hasControl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(evt.id + evt.accountId + evt.numbers.map((n) => n.verificationStatus).join(''));
      const blank = !evt.id.trim() || !evt.accountId.trim() || evt.numbers.some((n) => !n.verificationStatus.trim());
      if (hasControl) expect(r).toMatchObject({ ok: false, statusCode: 400, code: 'WEBHOOK_CONTROL_CHARACTER' });
      else if (!blank) expect(r.ok).toBe(true);
      const poisoned = checkWebhook(Buffer.from(JSON.stringify({ ...evt, accountId: `${evt.accountId}${s}\u0000` })));
      expect(poisoned).toMatchObject({ ok: false, statusCode: 400 });
    }), propertyRuns(200));
  });
});

describe('the partner query check', () => {
  const sqlish = fc.array(fc.oneof(nasty, fc.constantFrom('SELECT', 'WITH', 'FROM', 'DELETE', ';', 'COMMIT', '$$', '$q$', '/*', '*/', '--', '#', '`', 'nextval(', "'", '"', '(', ')', ' ', '\n')), { maxLength: 25 }).map((p) => p.join(' '));
  it('either returns one statement or refuses by name, never anything else', () => {
    fc.assert(fc.property(sqlish, fc.constantFrom('pg' as const, 'mysql2' as const), (sql, dialect) => {
      let out: string;
      try {
        out = checkReadOnlyQuery(sql, dialect);
      } catch (err) {
        expect(err).toBeInstanceOf(SyncError);
        expect((err as SyncError).code).toBe('IMPORT_DB_QUERY_REFUSED');
        return;
      }
      // What passes starts with a read, holds no write word and passes the check again unchanged.
      expect(out).toMatch(/^[\s(]*(select|with|values|table)\b/i);
      expect(checkReadOnlyQuery(out, dialect)).toBe(out);
    }), propertyRuns(500));
  });
  it('a read with a second statement appended is always refused', () => {
    fc.assert(fc.property(fc.constantFrom('SELECT 1', 'SELECT * FROM t', "SELECT 'a;b' FROM t"), fc.constantFrom('DELETE FROM t', 'COMMIT', 'ROLLBACK', 'SET TRANSACTION READ WRITE', 'DROP TABLE t'), fc.constantFrom('pg' as const, 'mysql2' as const), (a, b, d) => {
      expect(() => checkReadOnlyQuery(`${a}; ${b}`, d)).toThrow(/more than one statement/);
    }), propertyRuns(50));
  });
});

describe('one roster row → one COPY line', () => {
  const source = sourceSchema.parse({ name: 's', kind: 'csv', path: '/x.csv' }) as SourceConfig;
  const headers = [...ROSTER_FIELDS];
  const index = Object.fromEntries(headers.map((h, i) => [h, i]));
  it('is one line of exactly the COPY columns, with no NUL, and the counts add up', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.option(nasty, { nil: null }), { minLength: 0, maxLength: headers.length + 3 }), { minLength: 1, maxLength: 20 }), (rows) => {
      const f = createRowFormatter({ runId: '00000000-0000-4000-8000-000000000001', headers, index, source });
      rows.forEach((cells, i) => {
        const line = f.line(i + 2, cells);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.slice(0, -1)).not.toMatch(/[\n\r\0]/);
        const cols = line.slice(0, -1).split('\t');
        expect(cols).toHaveLength(COPY_COLUMNS.length);
        // raw and issues (the last two) are COPY-escaped JSON or \N.
        for (const c of cols.slice(-2)) if (c !== '\\N') expect(() => JSON.parse(c.replace(/\\\\/g, '\\'))).not.toThrow();
      });
      const c = f.counts;
      expect(c.read).toBe(rows.length);
      expect(c.valid + c.quarantined).toBe(c.read);
    }), propertyRuns(200));
  });
});
