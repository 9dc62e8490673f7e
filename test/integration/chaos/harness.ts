/**
 * The chaos harness: a generated roster, the simulator, a config whose one scheduled source reads
 * that roster, worker and `sync` processes (the real CLI) that a test kills, and the checks every
 * chaos test makes at the end (docs/runs.md, issue 13 "Done when").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Knex } from 'knex';
import { simulatorAdmin, startSimulator } from '../../../src/simulator/index';
import { FINAL_STATUSES, LEASED_STATUSES, type RunRow } from '../../../src/runs';
import { sleep } from '../../../src/time';
import { createKnex } from '../../../src/db/knex';
import { FIXTURES, TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testPrefix } from '../../helpers/redis';
import { startOwnRedis, type OwnRedis } from './services';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export type Sim = Awaited<ReturnType<typeof startSimulator>>;

export interface ChaosSetup { dir: string; roster: string; configFile: string; sim: Sim; admin: ReturnType<typeof simulatorAdmin>; n: number }

/** A roster of `n` valid practices (`v` varies the names: a newer roster). */
export function rosterCsv(n: number, v = 0): string {
  const lines = ['practice_id,practice_name,address1,city,state,zip,phone,website,time_zone,manager_email'];
  for (let i = 0; i < n; i++) {
    const id = `C${String(i).padStart(5, '0')}`;
    lines.push(`${id},Chaos Practice ${id}${v ? ` v${v}` : ''},${i + 1} Main St,Columbus,OH,43215,614${String(5_000_000 + i).slice(-7)},https://${id.toLowerCase()}.example,America/New_York,priya@partner.example`);
  }
  return `${lines.join('\n')}\n`;
}

export async function chaosSetup(n: number): Promise<ChaosSetup> {
  const sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, seed: 7 });
  const dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-chaos-'));
  const roster = path.join(dir, 'roster.csv');
  writeFileSync(roster, rosterCsv(n));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, readFileSync(path.join(FIXTURES, 'config/test.yaml'), 'utf8')
    .replace('path: ../csv/small-clean.csv', `path: ${roster}\n    schedule: "0 2 * * *"`)
    .replace('outDir: /tmp/updox-sync-test-reports', `outDir: ${path.join(dir, 'reports')}`)
    .replace('name: small', 'name: chaos'));
  return { dir, roster, configFile, sim, admin: simulatorAdmin(sim.url), n };
}

export function chaosEnv(s: ChaosSetup, o: { databaseUrl: string; redisUrl: string; prefix: string; rps?: number }): Record<string, string> {
  return testEnv({
    UPDOX_SYNC_CONFIG: s.configFile, DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl, QUEUE_PREFIX: o.prefix,
    UPDOX_BASE_URL: s.sim.baseUrl, UPDOX_REQUESTS_PER_SECOND: String(o.rps ?? 60), UPDOX_TIMEOUT_MS: '3000', LOG_LEVEL: 'warn',
  }) as Record<string, string>;
}

export interface Proc { child: ChildProcess; out: () => string; done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; kill(sig?: NodeJS.Signals): Promise<void> }

/** The real CLI as a child process (`updox-sync <args>`). */
export function cli(env: Record<string, string>, args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  child.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child, out: () => out, done,
    async kill(sig = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(sig);
      await done;
    },
  };
}

/** A worker process with a fast supervisor (the chaos tests' clocks are seconds, not minutes). */
export const worker = (env: Record<string, string>): Proc => cli(env, ['worker', '--supervise-every', '500', '--handoff', '3000', '--max-takeovers', '8']);

export async function waitFor(what: string, ok: () => Promise<boolean>, ms: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const countWhere = async (db: Knex, table: string, where: Record<string, unknown>): Promise<number> =>
  Number(((await db(table).where(where).count({ n: '*' })) as { n: string }[])[0]!.n);

/** Account ids in flight right now (their write may land twice). */
export const inFlightNow = async (db: Knex): Promise<string[]> =>
  (await db('sync_actions').where({ status: 'in_flight' }).pluck('account_id')) as string[];

/**
 * The end state every chaos test asks for: every run final (none left leased), every practice at
 * the simulator equal to the roster, one write per account except those in flight at a fault
 * (at most two), and the night's partner steps (when any) opened only after its sync runs ended.
 */
export async function checkEndState(db: Knex, s: ChaosSetup, opts: { inFlight: Set<string>; version?: number; partner?: boolean }): Promise<RunRow[]> {
  const runs = (await db('runs').orderBy('created_at')) as RunRow[];
  expect(runs.filter((r) => (LEASED_STATUSES as readonly string[]).includes(r.status)).map((r) => `${r.kind} ${r.id} ${r.status}`)).toEqual([]);
  for (const r of runs) expect([...FINAL_STATUSES, 'held']).toContain(r.status);
  const remote = new Map((await s.admin.practices()).map((p) => [p.accountId, p]));
  expect(remote.size).toBe(s.n);
  for (let i = 0; i < s.n; i++) {
    const id = `C${String(i).padStart(5, '0')}`;
    expect(remote.get(`tp-${id}`)?.name, id).toBe(`Chaos Practice ${id}${opts.version ? ` v${opts.version}` : ''}`);
  }
  const writes = (await s.admin.counters()).writesByAccount;
  const over: string[] = [];
  for (const [account, n] of Object.entries(writes)) {
    if (n > 2 || (n === 2 && !opts.inFlight.has(account))) over.push(`${account}: ${n}`);
  }
  expect(over).toEqual([]);
  if (opts.partner) {
    const partner = runs.find((r) => r.kind === 'partner');
    expect(partner?.status).toBe('succeeded');
    const lastSync = Math.max(...runs.filter((r) => r.kind === 'sync' && r.night).map((r) => new Date(r.finished_at ?? 0).getTime()));
    expect(new Date(partner!.created_at).getTime()).toBeGreaterThanOrEqual(lastSync);
    expect((partner!.apply_stats as { audit?: { unfinishedRuns?: unknown[] } }).audit?.unfinishedRuns).toEqual([]);
  }
  return runs;
}

/**
 * A Redis server of the test's own, a database of its own on the shared Postgres, the chaos set-up
 * with `n` practices and one worker on them; `close()` stops and removes all of it.
 */
export interface OwnRedisWorld { redis: OwnRedis; tdb: TestDatabase; db: Knex; s: ChaosSetup; env: Record<string, string>; w: Proc; close(): Promise<void> }

export async function ownRedisWorld(n: number, label: string, o: { rps?: number } = {}): Promise<OwnRedisWorld> {
  const redis = await startOwnRedis();
  const tdb = await createTestDatabase();
  const db = createKnex(tdb.url, { min: 0, max: 4 });
  const s = await chaosSetup(n);
  const env = chaosEnv(s, { databaseUrl: tdb.url, redisUrl: redis.url, prefix: testPrefix(label), ...(o.rps ? { rps: o.rps } : {}) });
  const w = worker(env);
  return {
    redis, tdb, db, s, env, w,
    async close() {
      await w.kill();
      await db.destroy();
      await s.sim.close();
      await tdb.drop();
      await redis.stop();
    },
  };
}
