/**
 * Runs the CLI as a subprocess (TypeScript through tsx, as in development) from an empty folder, so
 * that a developer's .env is never read, with exactly the environment given.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const ENTRY = path.join(ROOT, 'src/cli/index.ts');

export interface CliResult { code: number | null; stdout: string; stderr: string; ms: number }

export const emptyDir = (label = 'cli'): string => mkdtempSync(path.join(tmpdir(), `updox-sync-${label}-`));

/** `command` defaults to the TypeScript CLI; pass another argv[0..n] (e.g. the compiled bin) to run that. */
export function runCli(args: string[], env: Record<string, string | undefined>, opts: { cwd?: string; command?: string[]; timeoutMs?: number } = {}): Promise<CliResult> {
  const [exe, ...pre] = opts.command ?? [process.execPath, TSX, ENTRY];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(exe!, [...pre, ...args], {
      cwd: opts.cwd ?? emptyDir(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Runs `fns` at most `n` at a time (the machine is shared; each CLI start costs a core for a second). */
export async function inBatches<T>(n: number, fns: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < fns.length; i += n) out.push(...(await Promise.all(fns.slice(i, i + n).map((f) => f()))));
  return out;
}
