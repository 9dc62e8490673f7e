/**
 * Services a chaos test owns (never the machine's shared ones): a Redis server on a free loopback
 * port that it kills and starts again empty, and a Postgres cluster (initdb in a temp folder, as the
 * `postgres` user when the tests run as root) that it restarts or stops. Each is stopped by its pid
 * or data folder, and every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sleep } from '../../../src/time';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${ms} ms`);
    await sleep(100);
  }
}

export interface OwnRedis { url: string; port: number; kill(): Promise<void>; start(): Promise<void>; stop(): Promise<void> }

/**
 * A Redis with no persistence: killed and started again, it comes back empty. It listens on
 * loopback and on the `alsoBind` addresses (a test network's host side, test/helpers/netns.ts),
 * without protected mode there, so that the test hosts may connect without a password.
 */
export async function startOwnRedis(opts: { alsoBind?: string[] } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', ...(opts.alsoBind ?? []), '127.0.0.1',
      // Protected mode refuses clients from other hosts to a Redis without a password.
      ...(opts.alsoBind?.length ? ['--protected-mode', 'no'] : []), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await until('redis', async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined); // refused until the server listens: that is what we wait for
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 10_000);
  };
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, port, kill, start, stop: kill };
}

export interface OwnPostgres {
  url(db: string): string; port: number; restartFast(): void; stop(): void; start(): void; destroy(): void;
  /** restartFast without blocking this process's event loop (its own connections see the restart as it happens). */
  restartFastAsync(): Promise<void>;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A Postgres cluster of its own in a temp folder, on a free loopback port, owned by `postgres` when we are root. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const asPg = process.getuid?.() === 0;
  const command = (bin: string, args: string[]): [string, string[]] =>
    (asPg ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args]] : [path.join(PG_BIN, bin), args]);
  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = command(bin, args);
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  const restartArgs = ['-D', data, '-m', 'fast', '-w', '-t', '30', '-o', opts, 'restart'];
  start();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('CREATE DATABASE chaos');
  await c.end();
  return {
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    restartFast: () => run('pg_ctl', restartArgs),
    restartFastAsync: () => new Promise<void>((resolve, reject) => {
      const [cmd, argv] = command('pg_ctl', restartArgs);
      const child = spawn(cmd, argv, { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('error', reject);
      child.once('exit', (code) => { clearTimeout(timer); if (code === 0) resolve(); else reject(new Error(`pg_ctl restart exited ${code}`)); });
    }),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']),
    start,
    destroy: () => {
      try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
