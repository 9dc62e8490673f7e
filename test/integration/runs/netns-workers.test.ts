/**
 * Workers on several machines (issue 18): three `updox-sync worker` processes, each in a network
 * namespace of its own (a test host made on this machine, test/helpers/netns.ts), share one Redis,
 * one Postgres and one Updox rate limit. They reach those only over the test network, at the
 * bridge's host-side address, as workers on other machines would. Three sources of 100 practices
 * each are opened as one night's flow-driven runs; with one Updox job per worker at a time
 * (`--updox-concurrency 1`) the three applies run at once in three namespaces, against a simulator
 * that enforces the same 20 requests/s and counts every request over it.
 *
 * Postgres: the machine's shared server listens on 127.0.0.1 only and is never reconfigured, and a
 * namespace's 127.0.0.1 is its own loopback. So this process forwards TCP from the bridge address
 * to 127.0.0.1:5432 (node `net`, forwardTcp): the simplest option that keeps the per-file test
 * database cloned from the migrated template (createTestDatabase), where a cluster of our own
 * would need initdb, its own migrations and a few more seconds. Redis is a server of our own that
 * also binds the bridge address; the simulator listens on the bridge address.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { openSyncRun } from '../../../src/pipeline/open';
import { batchNight, waitForFlow } from '../../../src/pipeline/wait';
import { simulatorAdmin, startSimulator } from '../../../src/simulator/index';
import { sleep } from '../../../src/time';
import { addSourceFlow } from '../../../jobs/flows';
import { createQueues, type Queues } from '../../../jobs/queues';
import { FIXTURES, TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { createTestNet, forwardTcp, netnsUnavailable, type Forwarder, type TestNet } from '../../helpers/netns';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../../helpers/pg';
import { testPrefix } from '../../helpers/redis';
import { startOwnRedis, type OwnRedis } from '../chaos/services';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOSTS = 3;
const PER_SOURCE = 100;
const RPS = 20;
const SOURCES = Array.from({ length: HOSTS }, (_, i) => String.fromCharCode(65 + i)); // A, B, C

const skipReason = netnsUnavailable();

/** A roster of PER_SOURCE valid practices with external ids `<letter>00000`… */
function rosterCsv(letter: string): string {
  const lines = ['practice_id,practice_name,address1,city,state,zip,phone,website,time_zone,manager_email'];
  for (let i = 0; i < PER_SOURCE; i++) {
    const id = `${letter}${String(i).padStart(5, '0')}`;
    lines.push(`${id},Netns Practice ${id},${i + 1} Main St,Columbus,OH,43215,614${String(5_000_000 + i).slice(-7)},https://${id.toLowerCase()}.example,America/New_York,priya@partner.example`);
  }
  return `${lines.join('\n')}\n`;
}

interface WorkerProc { ns: string; child: ChildProcess; out: () => string; pid: () => number | null; exited: Promise<void> }

let net: TestNet | undefined;
let redis: OwnRedis | undefined;
let tdb: TestDatabase | undefined;
let fwd: Forwarder | undefined;
let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
let app: App | undefined;
let q: Queues | undefined;
let dir: string | undefined;
let workerEnv: Record<string, string> = {};
const workers: WorkerProc[] = [];

/** `updox-sync worker` inside a namespace; its pid is the node process's own (`ip netns exec` execs). */
function startWorker(ns: string): WorkerProc {
  const argv = net!.exec(ns, [process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'worker',
    '--updox-concurrency', '1', '--supervise-every', '1000', '--handoff', '30000']);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, ...workerEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let started: number | null = null;
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-50_000);
    if (started === null) {
      const m = /"pid":(\d+)[^\n]*"msg":"worker started"/.exec(out);
      if (m) started = Number(m[1]);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { ns, child, out: () => out, pid: () => started, exited };
}

async function stopWorker(w: WorkerProc): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const done = await Promise.race([w.exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    w.child.kill('SIGKILL');
    await Promise.race([w.exited, sleep(5_000)]);
  }
}

async function within<T>(what: string, ms: number, probe: () => T | null | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Whether a TCP connect to host:port from inside `ns` succeeds (a child node, bounded). */
function connectsFrom(ns: string, host: string, port: number): boolean {
  const code = `const s=require('net').connect(${port},'${host}');s.setTimeout(3000);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1))`;
  const argv = net!.exec(ns, [process.execPath, '-e', code]);
  return spawnSync(argv[0]!, argv.slice(1), { timeout: 10_000 }).status === 0;
}

beforeAll(async () => {
  if (skipReason) return;
  net = createTestNet(HOSTS);
  redis = await startOwnRedis({ alsoBind: [net.hostAddr] });
  tdb = await createTestDatabase();
  const pgTarget = new URL(PG_ADMIN_URL);
  fwd = await forwardTcp(net.hostAddr, pgTarget.hostname, Number(pgTarget.port || 5432));
  sim = await startSimulator({
    applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, host: net.hostAddr, port: 0, seed: 7,
    rateLimit: { requestsPerSecond: RPS },
  });
  dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-netns-'));
  const sources = SOURCES.map((l) => {
    const file = path.join(dir!, `roster-${l}.csv`);
    writeFileSync(file, rosterCsv(l));
    return `  - name: net-${l.toLowerCase()}\n    kind: csv\n    path: ${file}\n    accountId: { prefix: "tp-" }\n    assign: { by: column, default: priya@partner.example }\n`;
  }).join('');
  const base = readFileSync(path.join(FIXTURES, 'config/test.yaml'), 'utf8');
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, base
    .replace(/^sources:\n[\s\S]*?(?=^reports:)/m, `sources:\n${sources}`)
    .replace('outDir: /tmp/updox-sync-test-reports', `outDir: ${path.join(dir, 'reports')}`));
  const shared = {
    UPDOX_SYNC_CONFIG: configFile, QUEUE_PREFIX: testPrefix('netns'), UPDOX_BASE_URL: sim.baseUrl,
    UPDOX_REQUESTS_PER_SECOND: String(RPS), UPDOX_TIMEOUT_MS: '10000',
  };
  // The workers see the shared services at the bridge address only; this process uses loopback.
  workerEnv = testEnv({
    ...shared, LOG_LEVEL: 'info',
    DATABASE_URL: `postgres://postgres@${net.hostAddr}:${fwd.port}/${tdb.name}`,
    REDIS_URL: `redis://${net.hostAddr}:${redis.port}`,
  }) as Record<string, string>;
  app = createApp(loadConfig(testEnv({ ...shared, DATABASE_URL: tdb.url, REDIS_URL: redis.url })));
  q = createQueues(app.deps);
}, 60_000);

afterAll(async () => {
  // Each step on its own, so one failing never leaves the others' processes or namespaces behind.
  const steps: (() => Promise<unknown> | unknown)[] = [
    () => Promise.all(workers.map(stopWorker)),
    () => q?.close(),
    () => app?.close(),
    () => sim?.close(),
    () => tdb?.drop(),
    () => fwd?.close(),
    () => redis?.stop(),
    () => net?.destroy(),
    () => dir && rmSync(dir, { recursive: true, force: true }),
  ];
  for (const step of steps) await Promise.resolve().then(step).catch(() => undefined);
}, 60_000);

describe('workers on several machines', () => {
  it.skipIf(skipReason !== null)(
    skipReason ? `skipped: ${skipReason}` : `${HOSTS} workers in ${HOSTS} network namespaces share one Redis, one Postgres and one ${RPS}/s limit: 0 violations, each practice written once`,
    async () => {
      const admin = simulatorAdmin(sim!.url);
      // A namespace has a loopback of its own: the machine's Postgres is not there, only through the bridge.
      expect(connectsFrom(net!.hosts[0]!.ns, '127.0.0.1', Number(new URL(PG_ADMIN_URL).port || 5432))).toBe(false);
      expect(connectsFrom(net!.hosts[0]!.ns, net!.hostAddr, fwd!.port)).toBe(true);

      for (const h of net!.hosts) workers.push(startWorker(h.ns));
      const dump = () => workers.map((w) => `--- ${w.ns} (exit ${w.child.exitCode ?? w.child.signalCode ?? 'none yet'})\n${w.out().slice(-3000)}`).join('\n');
      const pids = new Map<number, string>();
      for (const w of workers) pids.set(await within(`the worker in ${w.ns} to start\n${dump()}`, 60_000, w.pid), w.ns);
      expect(pids.size).toBe(HOSTS);
      // Each worker really runs in its own namespace, none in this machine's.
      const netns = [...pids.keys()].map((pid) => readlinkSync(`/proc/${pid}/ns/net`));
      expect(new Set(netns).size).toBe(HOSTS);
      expect(netns).not.toContain(readlinkSync('/proc/self/ns/net'));

      const night = batchNight('2026-12-01', `netns-${process.pid}`);
      const runIds: string[] = [];
      for (const l of SOURCES) {
        const { runId, skipped } = await openSyncRun(app!.deps, { source: `net-${l.toLowerCase()}`, trigger: 'test', dryRun: false, night });
        expect(skipped).toBe(false);
        runIds.push(runId);
      }
      const t0 = Date.now();
      for (const runId of runIds) await addSourceFlow(q!, runId);
      const done = [];
      for (const runId of runIds) done.push(await waitForFlow(app!.deps.db, runId, { timeoutMs: 150_000, pollMs: 250 }));
      const elapsedSec = (Date.now() - t0) / 1000;

      for (const { run, partner } of done) {
        expect({ status: run.status, error: run.error_code, message: run.error_message, halt: run.halt_reason, takeovers: run.takeovers }, dump())
          .toEqual({ status: 'succeeded', error: null, message: null, halt: null, takeovers: 0 });
        expect(partner?.status, dump()).toBe('succeeded');
      }

      // Every practice is in Updox once, written once.
      const total = HOSTS * PER_SOURCE;
      const expected = SOURCES.flatMap((l) => Array.from({ length: PER_SOURCE }, (_, i) => `${l}${String(i).padStart(5, '0')}`));
      const remote = new Map((await admin.practices()).map((p) => [p.accountId, p]));
      expect(remote.size).toBe(total);
      for (const id of expected) expect(remote.get(`tp-${id}`)?.name, id).toBe(`Netns Practice ${id}`);
      const c = await admin.counters();
      expect(Object.keys(c.writesByAccount).sort()).toEqual(expected.map((id) => `tp-${id}`).sort());
      expect(Object.entries(c.writesByAccount).filter(([, n]) => n !== 1)).toEqual([]);

      // One limit across the namespaces: nothing over it, ever.
      expect(c.rateLimitViolations, JSON.stringify(c.requests)).toBe(0);
      expect(Object.values(c.requests).flatMap((codes) => Object.keys(codes)).filter((code) => code !== '2000')).toEqual([]);
      // On average over the flow no more than the limit. The limiter hands out slots 1/RPS apart; a
      // request can reach the simulator late (a busy machine), never early, so a sliding second
      // can hold RPS slots plus the one at its edge and one late arrival from before it.
      expect(c.total / elapsedSec).toBeLessThanOrEqual(RPS);
      expect(c.maxRequestsPerSecond).toBeLessThanOrEqual(RPS + 2);

      // Every worker wrote: the outbox rows each one claimed carry its pid
      // (`job-apply-<run>:<host>:<pid>:<attempt>:<claim>`), and their writes overlapped in time.
      const rows = (await app!.deps.db('sync_actions').whereIn('run_id', runIds)
        .select('claimed_by', 'status', 'finished_at')) as { claimed_by: string | null; status: string; finished_at: Date }[];
      expect(rows).toHaveLength(total);
      expect(rows.filter((r) => r.status !== 'succeeded')).toEqual([]);
      const spans = new Map<string, { n: number; first: number; last: number }>();
      for (const r of rows) {
        const pid = Number(/:(\d+):[0-9a-f-]{13}:[0-9a-f]{8}$/.exec(r.claimed_by ?? '')?.[1]);
        const ns = pids.get(pid) ?? `not a worker: ${r.claimed_by}`;
        const at = new Date(r.finished_at).getTime();
        const s = spans.get(ns) ?? { n: 0, first: at, last: at };
        spans.set(ns, { n: s.n + 1, first: Math.min(s.first, at), last: Math.max(s.last, at) });
      }
      expect([...spans.keys()].sort()).toEqual(net!.hosts.map((h) => h.ns).sort());
      for (const s of spans.values()) expect(s.n).toBeGreaterThan(0);
      const list = [...spans.values()];
      const overlapping = list.filter((a) => list.some((b) => a !== b && a.first < b.last && b.first < a.last));
      expect(overlapping.length, JSON.stringify([...spans])).toBeGreaterThanOrEqual(2);

      console.info(JSON.stringify({
        elapsedSec, calls: c.total, achievedRps: Number((c.total / elapsedSec).toFixed(2)), maxRequestsPerSecond: c.maxRequestsPerSecond,
        byMethod: Object.fromEntries(Object.entries(c.requests).map(([m, codes]) => [m, Object.values(codes).reduce((a, b) => a + b, 0)])),
        writesByNamespace: Object.fromEntries([...spans].map(([ns, s]) => [ns, s.n])), pgConnectionsForwarded: fwd!.connections(),
      }));
    },
    240_000,
  );
});
