/**
 * Everything checkable is checked at start, every problem named at once, exit 2, before anything
 * is registered or written: `schedule` with a bad cron, zone or report cron leaves Redis without
 * a single scheduler; bad numeric flags are refused by the flag's name.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { emptyDir, inBatches, runCli } from '../../helpers/cli';
import { testEnv } from '../../helpers/env';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

const prefix = testPrefix('startup');
const dir = emptyDir('startup');
afterAll(async () => { await deleteKeys(prefix); });

function config(body: string): string {
  const f = path.join(dir, `c${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(f, `partner: { id: p, name: P, businessDetails: {} }\n${body}\n`);
  return f;
}
const env = (over: Record<string, string>) => testEnv({ QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ...over });

async function redisKeys(): Promise<string[]> {
  const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  try {
    return await r.keys(`${prefix}*`);
  } finally {
    r.disconnect();
  }
}

describe('schedule validates before it registers anything', () => {
  it('a bad nightly cron, a bad zone, a minute of 61 and a bad report cron: all named, exit 2, no scheduler in Redis', async () => {
    const file = config(`sources:
  - { name: a, kind: csv, path: a.csv, schedule: "0 2 * * *", timezone: America/Chicago }
  - { name: b, kind: csv, path: b.csv, schedule: "every night", timezone: Mars/Olympus }
  - { name: c, kind: csv, path: c.csv, schedule: "61 2 * * *" }
numbers: { schedule: "0 */6 * * *" }
reports: { schedule: "0 7 * * * * *", timeZone: Europe/Atlantis }`);
    const r = await runCli(['schedule'], env({ UPDOX_SYNC_CONFIG: file }));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/sources\.1\.schedule: "every night" is not a cron expression/);
    expect(r.stderr).toMatch(/sources\.1\.timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(r.stderr).toMatch(/sources\.2\.schedule: "61 2 \* \* \*" is not a cron expression: Constraint error, got value 61/);
    expect(r.stderr).toMatch(/reports\.schedule: .*too many fields/);
    expect(r.stderr).toMatch(/reports\.timeZone: "Europe\/Atlantis"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await redisKeys()).toEqual([]);
  });
});

describe('environment values and flags are checked at start', () => {
  it('every bad value at once, each named, exit 2, never a password; bad numeric flags by name', async () => {
    const file = config(`sources:
  - { name: p, kind: db, client: pg, urlEnv: P_URL, table: practices }
  - { name: m, kind: db, client: mysql2, urlEnv: M_URL, table: practices }`);
    const [all, worker, report, numbers] = await inBatches(2, [
      () => runCli(['config'], env({
        UPDOX_SYNC_CONFIG: file, UPDOX_BASE_URL: 'ftp://updox.example/api', DATABASE_URL: 'mysql://root:secret-pw@127.0.0.1:3306/x',
        REDIS_URL: 'redis://127.0.0.1:99999', UPDOX_REQUESTS_PER_SECOND: '1e-9', UPDOX_TIMEOUT_MS: '9999999999',
        P_URL: 'postgres://u:hunter2@db.example:99999/ehr', M_URL: 'postgres://u:hunter2@db.example/ehr',
      })),
      () => runCli(['worker', '--updox-concurrency', 'abc'], env({})),
      () => runCli(['report', '--list-cap', 'lots'], env({})),
      () => runCli(['numbers', '--concurrency', '-1'], env({})),
    ]);
    expect(all!.code, all!.stderr).toBe(2);
    for (const m of [
      /UPDOX_BASE_URL: scheme "ftp:" is not allowed/, /DATABASE_URL: scheme "mysql:" is not allowed/, /REDIS_URL: port 99999 is out of range/,
      /UPDOX_REQUESTS_PER_SECOND: .*>=0\.01/, /UPDOX_TIMEOUT_MS: .*<=600000/,
      /P_URL \(source "p", client pg\): port 99999 is out of range/,
      /M_URL \(source "m", client mysql2\): scheme "postgres:" is not allowed here \(use mysql:\/\/ or mariadb:\/\/\)/,
    ]) expect(all!.stderr).toMatch(m);
    expect(all!.stderr).not.toMatch(/secret-pw|hunter2/);
    expect(worker!.code).toBe(2);
    expect(worker!.stderr).toMatch(/--updox-concurrency.*an integer from 1 to 256 is needed, got "abc"/);
    expect(report!.code).toBe(2);
    expect(report!.stderr).toMatch(/--list-cap/);
    expect(numbers!.code).toBe(2);
    expect(numbers!.stderr).toMatch(/--concurrency/);
  });
});
