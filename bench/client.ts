/**
 * `npm run bench -- client [--rps N] [--seconds S] [--concurrency C] [--in-flight F]`
 * The shared Redis limiter against the simulator enforcing the same rate: achieved requests/s as a
 * share of the limit, and the simulator's rate-limit violations, for 1 process and for 3 processes
 * (child processes sharing one Redis key). Target: ≥ 95% of the limit, zero violations.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulatorAdmin, startSimulator } from '../src/simulator/index';
import type { WorkerReport, WorkerSpec } from './client-worker';

const here = path.dirname(fileURLToPath(import.meta.url));
const APP_ID = 'bench-app';
const APP_PASSWORD = 'bench-secret-Pa55';

/**
 * Spawns `n` worker processes with the same spec, waits until every one is warmed up and ready,
 * gives them one common start time, and collects their reports.
 */
export async function runWorkers(spec: WorkerSpec, n: number): Promise<WorkerReport[]> {
  const worker = path.join(here, 'client-worker.ts');
  let readyCount = 0;
  let go: (startAt: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => { go = resolve; });
  const reports = Array.from({ length: n }, () => new Promise<WorkerReport>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready && out.includes('ready\n')) {
        ready = true;
        if (++readyCount === n) go(Date.now() + 300);
        void started.then((at) => child.stdin.end(`${at}\n`));
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as WorkerReport);
      } catch (e) {
        reject(new Error(`client worker failed (${(e as Error).message}): ${err.slice(-2000)}`));
      }
    });
  }));
  return Promise.all(reports);
}

export interface SharedRun {
  processes: number;
  limitRps: number;
  calls: number;
  achievedRps: number;
  shareOfLimit: number;
  violations: number;
  maxRequestsPerSecond: number;
  maxInFlight: number;
  outcomes: Record<string, number>;
}

/** One measured run: n processes × concurrency loops for `seconds`, against `simUrl` enforcing rps. */
export async function measureShared(opts: { simUrl: string; baseUrl: string; redisUrl: string; rps: number; processes: number; seconds: number; concurrency: number; inFlight: number; appId: string; appPassword: string }): Promise<SharedRun> {
  const admin = simulatorAdmin(opts.simUrl);
  await admin.resetCounters();
  const spec: WorkerSpec = {
    baseUrl: opts.baseUrl, applicationId: opts.appId, applicationPassword: opts.appPassword, redisUrl: opts.redisUrl,
    limiterKey: `updox-sync-bench:limiter:${randomUUID().slice(0, 8)}`, requestsPerSecond: opts.rps, maxInFlight: opts.inFlight,
    concurrency: opts.concurrency, durationMs: opts.seconds * 1000,
  };
  const reports = await runWorkers(spec, opts.processes);
  const counters = await admin.counters();
  const calls = reports.reduce((s, r) => s + r.calls, 0);
  const outcomes: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const achievedRps = calls / opts.seconds;
  return {
    processes: opts.processes, limitRps: opts.rps, calls,
    achievedRps: Math.round(achievedRps * 100) / 100,
    shareOfLimit: Math.round((achievedRps / opts.rps) * 1000) / 1000,
    violations: counters.rateLimitViolations, maxRequestsPerSecond: counters.maxRequestsPerSecond, maxInFlight: counters.maxInFlight, outcomes,
  };
}

function flag(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

export default async function bench(argv: string[]): Promise<Record<string, unknown>> {
  const rps = flag(argv, 'rps', Number(process.env.UPDOX_REQUESTS_PER_SECOND) || 50);
  const seconds = flag(argv, 'seconds', 10);
  const concurrency = flag(argv, 'concurrency', 4);
  const inFlight = flag(argv, 'in-flight', 8);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const sim = await startSimulator({ applicationId: APP_ID, applicationPassword: APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: rps } });
  try {
    const common = { simUrl: sim.url, baseUrl: sim.baseUrl, redisUrl, rps, seconds, concurrency, inFlight, appId: APP_ID, appPassword: APP_PASSWORD };
    const runs: SharedRun[] = [];
    for (const processes of [1, 3]) {
      const r = await measureShared({ ...common, processes });
      runs.push(r);
      console.log(`client: ${processes} process(es) × ${concurrency} loops, ${seconds} s, limit ${rps}/s: `
        + `${r.achievedRps} req/s = ${(r.shareOfLimit * 100).toFixed(1)}% of the limit, ${r.violations} violations `
        + `(simulator max ${r.maxRequestsPerSecond} in any 1 s, max ${r.maxInFlight} in flight)`);
    }
    const ok = runs.every((r) => r.shareOfLimit >= 0.95 && r.violations === 0);
    console.log(`client: target ≥ 95% of the limit with zero violations: ${ok ? 'met' : 'NOT met'}`);
    return { rps, seconds, concurrency, inFlight, targetMet: ok, oneProcess: runs[0], threeProcesses: runs[1] };
  } finally {
    await sim.close();
  }
}
