/**
 * The compiled artifact stands alone: `npm run build`, then dist/ (with bin/, config/, examples/,
 * package.json and the lock) copied to an empty folder and given production dependencies only
 * (`npm ci --omit=dev`: no tsx, no esbuild, no TypeScript). From there every command's --help
 * answers and a demo runs the whole nightly flow, CSV import threads and migrations included.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDir, inBatches, ROOT, runCli } from '../helpers/cli';
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
    const top = await runCli(['--help'], {}, { command: BIN, cwd: copy });
    expect(top.code, top.stderr).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(16);
    const results = await inBatches(4, commands.map((c) => () => runCli([c, '--help'], {}, { command: BIN, cwd: copy })));
    commands.forEach((c, i) => {
      expect(results[i]!.code, `${c}: ${results[i]!.stderr}`).toBe(0);
      expect(results[i]!.stdout, c).toMatch(new RegExp(`^Usage: updox-sync ${c}\\b`));
    });
  }, 180_000);

  it('runs the demo: migrations, the CSV import threads, the nightly flow, the reports', async () => {
    const state = path.join(copy, 'state');
    const r = await runCli(['demo', '--state-dir', state, '--json'], { DEMO_DATABASE_URL: demoDb.url, DEMO_QUEUE_PREFIX: prefix, DEMO_REDIS_URL: TEST_REDIS_URL }, { command: BIN, cwd: copy, timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { summary: { status: string; read: number }; simWrites: number; reportFiles: string[] };
    expect(res.summary.status).toBe('succeeded');
    expect(res.summary.read).toBe(320);
    expect(res.simWrites).toBeGreaterThan(300);
    expect(res.reportFiles.length).toBe(4);
    expect(r.stderr).not.toMatch(/tsx|TypeScript|Cannot find/);
  }, 300_000);
});
