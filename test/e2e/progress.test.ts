/**
 * `sync`'s progress during apply: off a terminal a progress log line every few seconds, on a
 * terminal (a pseudo-terminal from script(1)) a bar with done/total, rate and ETA, and nothing
 * with --quiet. 10 practices at 1 request/s: the apply lasts ~10 s.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etaSeconds, formatDuration } from '../../src/cli/progress';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { emptyDir, ROOT, runCli } from '../helpers/cli';
import { TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../helpers/env';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { deleteKeys, testPrefix } from '../helpers/redis';

const sims: RunningSimulator[] = [];
const dbs: TestDatabase[] = [];
const prefixes: string[] = [];

async function world(): Promise<Record<string, string | undefined>> {
  const [sim, db] = await Promise.all([startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD }), createTestDatabase()]);
  sims.push(sim);
  dbs.push(db);
  const prefix = testPrefix('progress');
  prefixes.push(prefix);
  return testEnv({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl, UPDOX_REQUESTS_PER_SECOND: '1', UPDOX_MAX_IN_FLIGHT: '1', LOG_LEVEL: 'info' });
}

let plain: Record<string, string | undefined>;
let tty: Record<string, string | undefined>;
let quiet: Record<string, string | undefined>;
beforeAll(async () => {
  [plain, tty, quiet] = await Promise.all([world(), world(), world()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([...sims.map((s) => s.close()), ...dbs.map((d) => d.drop()), ...prefixes.map((p) => deleteKeys(p))]);
});

/** Runs the CLI under script(1), so its stderr is a terminal; returns everything it wrote. */
function onTerminal(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const cmd = [process.execPath, path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/index.ts'), ...args].map((a) => `'${a}'`).join(' ');
  // Asynchronously: the simulator answering it runs in this process.
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', cmd, '/dev/null'], { cwd: emptyDir('tty'), env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 300_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

describe('sync progress', () => {
  it('logs progress lines off a terminal, draws a bar on one, and is silent with --quiet', async () => {
    const [a, b, c] = await Promise.all([
      runCli(['sync', '--no-audit'], plain, { timeoutMs: 300_000 }),
      onTerminal(['sync', '--no-audit'], tty),
      runCli(['--quiet', 'sync', '--no-audit'], quiet, { timeoutMs: 300_000 }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    const lines = a.stderr.split('\n').filter((l) => l.includes('"apply progress"')).map((l) => JSON.parse(l) as { done: number; total: number; etaSeconds: number | null });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatchObject({ done: 10, total: 10, etaSeconds: 0 });
    const mid = lines.find((l) => l.done < l.total);
    expect(mid, 'a line while the apply was under way').toBeDefined();
    expect(mid!.etaSeconds).toBeGreaterThanOrEqual(mid!.total - mid!.done); // at most 1/s: the limit

    expect(b).toMatch(/apply \|[█░]+\| \d+\/10 \| [\d.]+\/s \| ETA/);
    expect(b).toMatch(/10\/10/);

    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).not.toContain('apply progress');
    expect(c.stdout).toMatch(/10 created/);
  }, 420_000);

  it('estimates from the observed rate, never faster than the limit', () => {
    expect(etaSeconds(100, 0, 5)).toBe(20);
    expect(etaSeconds(100, 2, 5)).toBe(50);
    expect(etaSeconds(100, 50, 5)).toBe(20);
    expect(formatDuration(1620)).toBe('27m 0s');
    expect(formatDuration(4000)).toBe('1h 6m');
  });
});
