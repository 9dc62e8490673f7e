import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { testEnv } from '../helpers/env';

/** The CLI's main() in this process, with its own environment and output and no .env read. */
async function cli(args: string[], env: Record<string, string | undefined> = testEnv()) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'updox-sync', ...args], { env, dotenv: false, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('updox-sync CLI', () => {
  it('lists every command in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['demo', 'sync', 'import', 'runs', 'run', 'approve', 'upgrade-legacy', 'audit', 'numbers', 'report', 'worker', 'schedule', 'serve', 'sim', 'migrate', 'config', 'doctor']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });

  it('answers a bad flag with a one-line error and exit code 2', async () => {
    const r = await cli(['sync', '--no-such-flag']);
    expect(r.code).toBe(2);
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/unknown option '--no-such-flag'/);
  });

  it('answers a missing config value with a one-line error naming it and exit code 2', async () => {
    const r = await cli(['sync'], testEnv({ UPDOX_APPLICATION_PASSWORD: undefined }));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^npm warn/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: invalid configuration: UPDOX_APPLICATION_PASSWORD: required but not set \(`updox-sync sync` calls Updox\)/);
  });

  it('names a config file that does not parse', async () => {
    const r = await cli(['runs'], testEnv({ UPDOX_SYNC_CONFIG: '/nonexistent/package.json.missing.yaml' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file not found: .*package.json.missing.yaml/);
  });
});
