import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { testEnv } from '../helpers/env';

describe('loadConfig', () => {
  it('loads the test config and freezes it', () => {
    const c = loadConfig(testEnv());
    expect(c.partner.id).toBe('test-partner');
    expect(c.sources[0]?.name).toBe('small');
    expect(c.updox.requestsPerSecond).toBe(5);
    expect(Object.isFrozen(c.updox)).toBe(true);
  });

  it('reports every problem at once, each naming its variable or key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'partner: { id: p, name: P, businessDetails: {} }\nsources:\n  - { name: "x y", kind: csv }\n');
    let err: unknown;
    try {
      loadConfig(testEnv({ UPDOX_SYNC_CONFIG: file, UPDOX_APPLICATION_ID: '', REDIS_URL: 'not a url', UPDOX_REQUESTS_PER_SECOND: '-3' }), {}, { requires: ['updox'], command: 'sync' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/REDIS_URL/);
    expect(problems).toMatch(/UPDOX_REQUESTS_PER_SECOND/);
    expect(problems).toMatch(/sources\.0\.name/);
    expect(problems).toMatch(/sources\.0\.path/);
  });

  it('reads the supervisor settings from the environment, with defaults and bounds', () => {
    expect(loadConfig(testEnv()).supervisor).toEqual({ intervalMs: 10_000, handoffMs: 120_000, maxTakeovers: 5 });
    expect(loadConfig(testEnv({ SUPERVISE_EVERY_MS: '2000', SUPERVISOR_HANDOFF_MS: '30000', MAX_TAKEOVERS: '9' })).supervisor)
      .toEqual({ intervalMs: 2000, handoffMs: 30_000, maxTakeovers: 9 });
    expect(() => loadConfig(testEnv({ MAX_TAKEOVERS: '0', SUPERVISE_EVERY_MS: '99999999999' }))).toThrow(/MAX_TAKEOVERS.*SUPERVISE_EVERY_MS|SUPERVISE_EVERY_MS.*MAX_TAKEOVERS/s);
  });

  it('asks for the Updox settings only when the command calls Updox, naming the command', () => {
    const env = testEnv({ UPDOX_BASE_URL: undefined, UPDOX_APPLICATION_ID: '' });
    expect(loadConfig(env).updox.baseUrl).toBeUndefined();
    expect(() => loadConfig(env, {}, { requires: ['updox'], command: 'numbers' })).toThrow(
      /UPDOX_BASE_URL: required but not set \(`updox-sync numbers` calls Updox\).*UPDOX_APPLICATION_ID: required but not set/s);
  });

  it('names a missing config file', () => {
    expect(() => loadConfig(testEnv({ UPDOX_SYNC_CONFIG: '/nonexistent/x.yaml' }))).toThrow(/config file not found: \/nonexistent\/x.yaml/);
  });
});
