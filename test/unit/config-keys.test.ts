import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { didYouMean, editDistance } from '../../src/config-keys';
import { MASK, maskedConfig, maskUrl } from '../../src/config-mask';
import { ConfigError } from '../../src/errors';
import { testEnv } from '../helpers/env';

function problemsOf(yaml: string): string[] {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-keys-')), 'c.yaml');
  writeFileSync(file, yaml);
  try {
    loadConfig(testEnv({ UPDOX_SYNC_CONFIG: file }));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.slice(file.length + 2));
    throw err;
  }
  return [];
}

const BASE = 'partner: { id: p, name: P, businessDetails: {} }\n';

describe('unknown config keys', () => {
  it('refuses each unknown key with its path and the nearest known key', () => {
    const problems = problemsOf(`${BASE}guardrail: { maxDeactivateShare: 0.1 }\nreports: { perod: weekly }
sources:
  - { name: a, kind: csv, path: x.csv, scheduel: "0 1 * * *", mapping: { externalID: id }, accountId: { prefx: A } }
  - { name: b, kind: db, client: pg, urlEnv: X, table: t, qurey: "select 1" }
  - { name: c, kind: csv, path: y.csv, frobnicate: 1 }
`);
    expect(problems).toEqual([
      'guardrail: unknown key (did you mean "guardrails"?)',
      'reports.perod: unknown key (did you mean "period"?)',
      'sources.0.scheduel: unknown key (did you mean "schedule"?)',
      'sources.0.mapping.externalID: unknown key (did you mean "externalId"?)',
      'sources.0.accountId.prefx: unknown key (did you mean "prefix"?)',
      'sources.1.qurey: unknown key (did you mean "query"?)',
      'sources.2.frobnicate: unknown key',
    ]);
  });

  it('accepts the bundled example and the test config', () => {
    expect(() => loadConfig(testEnv({ UPDOX_SYNC_CONFIG: path.resolve('config/example.yaml') }))).not.toThrow();
    expect(problemsOf(`${BASE}sources: [{ name: a, kind: csv, path: x.csv, mapping: { name: Name } }]\n`)).toEqual([]);
  });

  it('measures a swap of neighbours as one edit and suggests only close keys', () => {
    expect(editDistance('qurey', 'query')).toBe(1);
    expect(editDistance('perod', 'period')).toBe(1);
    expect(didYouMean('scheduel', ['schedule', 'timezone'])).toBe('schedule');
    expect(didYouMean('colour', ['schedule', 'timezone'])).toBeUndefined();
  });
});

describe('maskedConfig', () => {
  it('masks every secret and the passwords in URLs, and tells whether a partner DB variable is set', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-mask-')), 'c.yaml');
    writeFileSync(file, `${BASE}sources: [{ name: d, kind: db, client: pg, urlEnv: PARTNER_DB_URL, table: t }]\n`);
    const env = testEnv({
      UPDOX_SYNC_CONFIG: file, DATABASE_URL: 'postgres://app:pg-Secret1@db:5432/u', REDIS_URL: 'redis://:redis-Secret2@r:6379',
      SMTP_URL: 'smtps://mail:smtp-Secret3@smtp:465', UPDOX_HMAC_SECRET: 'hmac-Secret4', WEBHOOK_SECRET: 'hook-Secret5',
      DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dash-Secret6', PARTNER_DB_URL: 'postgres://ro:partner-Secret7@p/x',
    });
    const shown = JSON.stringify(maskedConfig(loadConfig(env), env));
    for (const s of ['pg-Secret1', 'redis-Secret2', 'smtp-Secret3', 'hmac-Secret4', 'hook-Secret5', 'dash-Secret6', 'partner-Secret7', env.UPDOX_APPLICATION_PASSWORD!]) {
      expect(shown).not.toContain(s);
    }
    expect(shown).toContain(`postgres://app:${MASK}@db:5432/u`);
    expect(shown).toContain('"dashboardUser":"ops"');
    expect(shown).toContain('"urlEnvSet":true');
    expect(maskUrl('not a url')).toBe(MASK);
  });
});
