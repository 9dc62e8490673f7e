/**
 * A worker thread's TypeScript, bundled once per process with esbuild (the compiler tsx itself
 * runs on) into one plain ES module, so that the thread starts without a TypeScript loader.
 * esbuild runs as a one-shot command (its native binary, killed after BUNDLE_TIMEOUT_MS), not
 * through its JavaScript API, which keeps a service process talking over stdin/stdout alive in
 * every process that bundles: a plain child process that exits leaves nothing behind, and a
 * timeout bounds it.
 *
 * Loading a thread's code through tsx costs that thread a second V8 isolate (Node runs module
 * hooks on a thread of their own) and ~0.3 s of CPU at its start, and ~25 MB of peak RSS on a
 * 1M-row import. The bundle is written under node_modules/.cache/updox-sync/, named by a hash of
 * its content (so a process never runs stale code, and concurrent processes agree), and its
 * package imports (zod, libphonenumber-js) resolve from the project's node_modules as before.
 * When bundling or writing is impossible (a read-only install, say), the caller falls back to the
 * tsx entry: the same code, slower to start.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/updox-sync/', import.meta.url));
/** Bundles of an entry older than this (earlier builds of changed code) are deleted. */
const STALE_MS = 24 * 3_600_000;
/** esbuild takes ~50 ms; past this it is killed and the caller falls back. */
const BUNDLE_TIMEOUT_MS = 30_000;

const built = new Map<string, Promise<URL>>();

/** The file URL of `entry` (a .ts module) bundled; rejects when it cannot be built or written. */
export function bundledModule(entry: URL): Promise<URL> {
  const file = fileURLToPath(entry);
  let url = built.get(file);
  if (!url) {
    url = bundle(file);
    built.set(file, url);
    url.catch(() => built.delete(file)); // a later import may try again
  }
  return url;
}

/** esbuild's native binary, from its platform package (as esbuild's own API finds it). */
function esbuildBinary(): string {
  const pkg = createRequire(import.meta.url).resolve(`@esbuild/${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(pkg), process.platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild');
}

function runEsbuild(file: string): Promise<Buffer> {
  const args = [file, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--log-level=error', '--legal-comments=none'];
  return new Promise((resolve, reject) => {
    execFile(esbuildBinary(), args, { encoding: 'buffer', timeout: BUNDLE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) reject(new Error(`esbuild failed: ${stderr.toString('utf8').trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

async function bundle(file: string): Promise<URL> {
  const code = await runEsbuild(file);
  const name = path.basename(file, path.extname(file));
  const target = path.join(CACHE_DIR, `${name}.${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  const exists = await stat(target).then(() => true, () => false);
  if (!exists) {
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, target); // atomic: another process may be writing the same bundle
    await prune(name, target);
  }
  return pathToFileURL(target);
}

async function prune(name: string, keep: string): Promise<void> {
  const now = Date.now();
  for (const f of await readdir(CACHE_DIR).catch(() => [] as string[])) {
    const full = path.join(CACHE_DIR, f);
    if (full === keep || !f.startsWith(`${name}.`)) continue;
    const s = await stat(full).catch(() => null);
    if (s && now - s.mtimeMs > STALE_MS) await unlink(full).catch(() => undefined);
  }
}
