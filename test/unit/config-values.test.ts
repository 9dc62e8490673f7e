/** Value checks of the configuration (src/config-values.ts), through loadConfig: every problem at once. */
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { testEnv } from '../helpers/env';

const dir = mkdtempSync(path.join(tmpdir(), 'cfg-values-'));
let n = 0;
/** Writes a config file with `sources` (YAML flow text) and returns loadConfig's problems. */
function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  const file = path.join(dir, `c${n++}.yaml`);
  writeFileSync(file, `partner: { id: p, name: P, businessDetails: {} }\n${yaml}\n`);
  try {
    loadConfig(testEnv({ UPDOX_SYNC_CONFIG: file, ...env }));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('a db source query is checked when the config loads', () => {
  it('refuses several statements and writes, naming the source and key', () => {
    const p = problemsOf(`sources:
  - { name: a, kind: db, client: pg, urlEnv: A_URL, query: "SELECT 1; DELETE FROM t" }
  - { name: b, kind: db, client: mysql2, urlEnv: B_URL, query: "SELECT * FROM t INTO OUTFILE '/tmp/x'" }
  - { name: c, kind: db, client: pg, urlEnv: C_URL, query: "SELECT * FROM practices" }`);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/sources\.0\.query: the configured query is refused: it holds more than one statement/);
    expect(p[1]).toMatch(/sources\.1\.query: .*"INTO" has no place/);
  });
});

describe('values checked when the config loads, every problem at once', () => {
  it('cron expressions, time zones and an accountId prefix too long for maxLength', () => {
    const p = problemsOf(`sources:
  - { name: a, kind: csv, path: a.csv, schedule: "61 2 * * *", timezone: "America/Chicago" }
  - { name: b, kind: csv, path: b.csv, schedule: "", timezone: "Mars/Olympus" }
  - { name: c, kind: csv, path: c.csv, accountId: { prefix: "acme-corporation-practice-", maxLength: 20 } }
  - { name: d, kind: csv, path: d.csv, accountId: { charset: "a-" } }
  - { name: e, kind: csv, path: e.csv, accountId: { charset: "z-a" } }
numbers: { schedule: "*/0 * * * *" }
reports: { schedule: "0 25 * * *", timeZone: "EST5" }`).join('\n');
    expect(p).toMatch(/sources\.0\.schedule: "61 2 \* \* \*" is not a cron expression: Constraint error/);
    expect(p).not.toMatch(/sources\.0\.timezone/);
    expect(p).toMatch(/sources\.1\.schedule: an empty cron expression/);
    expect(p).toMatch(/sources\.1\.timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(p).toMatch(/sources\.2\.accountId\.prefix: the prefix is 26 characters; with maxLength 20 it may have at most 8/);
    expect(p).toMatch(/sources\.4\.accountId\.charset: "z-a" is not a regex character-class body/);
    expect(p).toMatch(/numbers\.schedule: /);
    expect(p).toMatch(/reports\.schedule: /);
    expect(p).toMatch(/reports\.timeZone: "EST5" is not an IANA time zone/);
  });
  it.each([
    [{ UPDOX_BASE_URL: 'ftp://h/api' }, /UPDOX_BASE_URL: scheme "ftp:"/],
    [{ UPDOX_BASE_URL: 'mailto:a@b.c' }, /UPDOX_BASE_URL: scheme "mailto:"/],
    [{ UPDOX_BASE_URL: 'https://h:0/api' }, /UPDOX_BASE_URL: port 0 is out of range/],
    [{ DATABASE_URL: 'mysql://root@h/x' }, /DATABASE_URL: scheme "mysql:"/],
    [{ DATABASE_URL: 'postgres://h:70000/x' }, /DATABASE_URL: port 70000 is out of range/],
    [{ REDIS_URL: 'http://h:6379' }, /REDIS_URL: scheme "http:"/],
    [{ SMTP_URL: 'http://mail' }, /SMTP_URL: scheme "http:"/],
    [{ UPDOX_REQUESTS_PER_SECOND: '1e-9' }, /UPDOX_REQUESTS_PER_SECOND/],
    [{ UPDOX_REQUESTS_PER_SECOND: '1e9' }, /UPDOX_REQUESTS_PER_SECOND/],
    [{ UPDOX_MAX_IN_FLIGHT: '0' }, /UPDOX_MAX_IN_FLIGHT/],
    [{ UPDOX_TIMEOUT_MS: '3000000000' }, /UPDOX_TIMEOUT_MS/],
    [{ UPDOX_MAX_RETRIES: '1000' }, /UPDOX_MAX_RETRIES/],
    [{ WEBHOOK_TOLERANCE_SEC: '99999999' }, /WEBHOOK_TOLERANCE_SEC/],
  ])('%j is refused by name', (env, message) => {
    expect(problemsOf('sources: [{ name: a, kind: csv, path: a.csv }]', env as Record<string, string>).join('\n')).toMatch(message);
  });
  it('partner URLs per client, only when set; the password never shown', () => {
    const yaml = `sources:
  - { name: p, kind: db, client: pg, urlEnv: P_URL, table: t }
  - { name: m, kind: db, client: mysql2, urlEnv: M_URL, table: t }
  - { name: q, kind: db, client: pg, urlEnv: Q_URL, table: t }`;
    const p = problemsOf(yaml, { P_URL: 'mysql://u:pw-secret@h/x', M_URL: 'mariadb://u:pw-secret@h:99999/x' });
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^P_URL \(source "p", client pg\): scheme "mysql:"/);
    expect(p[1]).toMatch(/^M_URL \(source "m", client mysql2\): port 99999/);
    expect(p.join()).not.toContain('pw-secret');
    expect(problemsOf(yaml, { P_URL: 'postgresql://u@h:5433/x', M_URL: 'mysql://u@h/x' })).toEqual([]);
  });
  it('good values pass', () => {
    expect(problemsOf(`sources: [{ name: a, kind: csv, path: a.csv, schedule: "30 1 * * 1-5", timezone: America/Puerto_Rico }]
reports: { timeZone: Pacific/Guam }`, { UPDOX_BASE_URL: 'https://api.updox.com/api/io', UPDOX_REQUESTS_PER_SECOND: '0.5' })).toEqual([]);
  });
});
