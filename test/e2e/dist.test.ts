/**
 * The compiled artifact stands alone: `npm run build`, then dist/ (with bin/, config/, examples/,
 * package.json and the lock) copied to an empty folder and given production dependencies only
 * (`npm ci --omit=dev`: no tsx, no esbuild, no TypeScript). From there every command's --help
 * answers and a demo runs the whole nightly flow, CSV import threads and migrations included.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDir, ROOT, runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../helpers/redis';

const copy = emptyDir('dist');
const BIN = [process.execPath, path.join(copy, 'bin/updox-sync.mjs')];
let demoDb: TestDatabase;
const prefix = testPrefix('dist');

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  for (const p of ['dist', 'bin', 'config', 'examples', 'package.json', 'package-lock.json']) cpSync(path.join(ROOT, p), path.join(copy, p), { recursive: true });
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: copy, stdio: 'pipe', timeout: 240_000 });
  demoDb = await createTestDatabase();
}, 300_000);
afterAll(async () => {
  await deleteKeys(prefix);
  await demoDb?.drop();
});

describe('dist/ with production dependencies only', () => {
  it('has none of the development tools', () => {
    for (const dev of ['tsx', 'esbuild', 'vitest', 'eslint']) expect(existsSync(path.join(copy, 'node_modules', dev)), dev).toBe(false);
    expect(readdirSync(path.join(copy, 'dist/migrations')).filter((f) => f.endsWith('.js')).length).toBe(readdirSync(path.join(ROOT, 'migrations')).filter((f) => f.endsWith('.ts')).length);
  });

  it("answers every command's --help", async () => {
    const top = await runCli(['--help'], {}, { command: BIN, cwd: copy, timeoutMs: 200_000 });
    expect(top.code, top.stderr).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(16);
    // One process for all of them (each start loads the whole bundle): dist/main.js is the same
    // compiled CLI as a module; it prints each command's help and exit code as one JSON line.
    writeFileSync(path.join(copy, 'helps.mjs'), `const { main } = await import('./dist/main.js');
const out = {};
for (const c of ${JSON.stringify(commands)}) {
  let text = '';
  const code = await main(['node', 'updox-sync', c, '--help'], { env: {}, dotenv: false, stdout: { write: (s) => (text += s) }, stderr: { write: (s) => (text += s) } });
  out[c] = { code, text };
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`);
    const r = await runCli([], {}, { command: [process.execPath, path.join(copy, 'helps.mjs')], cwd: copy, timeoutMs: 200_000 });
    expect(r.code, r.stderr).toBe(0);
    const helps = JSON.parse(r.stdout) as Record<string, { code: number; text: string }>;
    for (const c of commands) {
      expect(helps[c]?.code, `${c}: ${helps[c]?.text}`).toBe(0);
      expect(helps[c]?.text, c).toMatch(new RegExp(`^Usage: updox-sync ${c}\\b`));
    }
  }, 420_000);

  it('runs the demo: migrations, the CSV import threads, the nightly flow, the reports', async () => {
    const state = path.join(copy, 'state');
    const r = await runCli(['demo', '--state-dir', state, '--json'], { DEMO_DATABASE_URL: demoDb.url, DEMO_QUEUE_PREFIX: prefix, DEMO_REDIS_URL: TEST_REDIS_URL }, { command: BIN, cwd: copy, timeoutMs: 400_000 });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { summary: { status: string; read: number }; simWrites: number; reportFiles: string[] };
    expect(res.summary.status).toBe('succeeded');
    expect(res.summary.read).toBe(320);
    expect(res.simWrites).toBeGreaterThan(300);
    expect(res.reportFiles.length).toBe(4);
    expect(r.stderr).not.toMatch(/tsx|TypeScript|Cannot find/);
  }, 420_000);
});
