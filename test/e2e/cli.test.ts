import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testEnv } from '../helpers/env';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/updox-sync.mjs');
// The CLI loads ./.env: run it from an empty folder, so a developer's .env never leaks into a test.
const CWD = mkdtempSync(path.join(tmpdir(), 'updox-sync-cli-'));

function cli(args: string[], env: Record<string, string | undefined> = testEnv()) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd: CWD,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('updox-sync CLI', () => {
  it('lists every command in --help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['demo', 'sync', 'import', 'runs', 'run', 'approve', 'upgrade-legacy', 'audit', 'numbers', 'report', 'worker', 'schedule', 'serve', 'sim', 'migrate', 'config']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });

  it('answers a bad flag with a one-line error and exit code 2', () => {
    const r = cli(['sync', '--no-such-flag']);
    expect(r.code).toBe(2);
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/unknown option '--no-such-flag'/);
  });

  it('answers a missing config value with a one-line error naming it and exit code 2', () => {
    const r = cli(['sync'], testEnv({ UPDOX_APPLICATION_PASSWORD: undefined }));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^npm warn/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: invalid configuration: UPDOX_APPLICATION_PASSWORD: required but not set \(`updox-sync sync` calls Updox\)/);
  });

  it('names a config file that does not parse', () => {
    const r = cli(['runs'], testEnv({ UPDOX_SYNC_CONFIG: path.join(ROOT, 'package.json.missing.yaml') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file not found: .*package.json.missing.yaml/);
  });
});
