/**
 * `npm run bench -- nightly [--practices 200000] [--rps 500] [--workers 1] [--changed 0.01] [--heap-mb M]`
 * (the workers run with the Dockerfile's NODE_OPTIONS; `--heap-mb` replaces its V8 heap cap, 0 removes it)
 *
 * A large partner's two nights, through the real workers. The simulator (in this process, the one
 * process exempt from the memory target) is seeded with N practices and their numbers in a
 * realistic mix (90% verified, 4% pending, 2% rejected, 4% none); a roster file holds the same N
 * practices. Night 1 syncs that roster (adopting every practice) and runs the partner steps (audit,
 * numbers, report); night 2 runs with a share of the roster changed (default 1%). Each night is a
 * flow-driven run with a night of its own (src/pipeline/wait.ts batchNight), opened here and
 * carried out by `updox-sync worker` child processes running the build (`npm run build` first).
 *
 * Prints, per night: wall time per step, API calls by method, calls per changed practice, the plan
 * time, the largest worker's resident set seen in each step, and the peak RSS (VmHWM) of every
 * worker process; then checks the targets of issue 18:
 * both nights succeed, every worker's peak RSS ≤ 300 MB, and night 2's calls ≤ 1.2 × (changed
 * practices + accounts whose numbers are not verified) + 1 (its PracticeList). Returns the figures
 * (the runner prints them as one JSON line) with `missed`, the targets not met: the command then
 * exits 1.
 *
 * Uses a database of its own (BENCH_NIGHTLY_DATABASE_URL, default updox_sync_bench_nightly on the
 * local server: dropped and created again) and a Redis prefix of its own on REDIS_URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createKnex, migrateLatest } from '../src/db/knex';
import { openSyncRun } from '../src/pipeline/open';
import { batchNight, waitForFlow } from '../src/pipeline/wait';
import { tonight } from '../src/pipeline/partner-steps';
import { simulatorAdmin, startSimulator, type CountersSnapshot } from '../src/simulator/index';
import { addSourceFlow } from '../jobs/flows';
import { createQueues } from '../jobs/queues';
import { deleteKeys } from '../test/helpers/redis';
import { numberArg } from './args';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const APP_ID = 'bench-app';
const APP_PASSWORD = 'bench-Secret-1';
const RSS_TARGET_MB = 300;
const HEADER = 'practice_id,practice_name,address1,address2,city,state,zip,phone,fax,website,alt_website,time_zone,manager_email';
const MANAGERS = ['priya@partner.example', 'marcus@partner.example'];

type Mix = 'VERIFIED' | 'PENDING' | 'REJECTED' | 'none';
/** 90% verified, 4% pending, 2% rejected, 4% without a number, spread evenly over the ids. */
const mixOf = (i: number): Mix => {
  const r = i % 50;
  return r < 45 ? 'VERIFIED' : r < 47 ? 'PENDING' : r < 48 ? 'REJECTED' : 'none';
};

const ext = (i: number) => `B${String(i).padStart(7, '0')}`;
const phone = (i: number, night: number) => `614${String(night * 1_000_000 + (i % 1_000_000) + 2_000_000).padStart(7, '0').slice(-7)}`;

function practice(i: number): Record<string, unknown> {
  return {
    accountId: `bn-${ext(i)}`, name: `Clinic ${i} of the Large Partner`, address1: `${i + 1} Main Street`, city: 'Columbus', state: 'OH',
    postal: '43215', phone: phone(i, 0), websiteUrl: `https://clinic${i}.example`, timeZone: 'America/New_York', active: true,
  };
}

function rosterLine(i: number, changed: boolean): string {
  const p = practice(i);
  return [ext(i), p.name, p.address1, '', p.city, p.state, p.postal, changed ? phone(i, 1) : p.phone, '', p.websiteUrl, '', p.timeZone, MANAGERS[i % 2]].join(',');
}

async function writeRoster(file: string, n: number, changedEvery: number): Promise<number> {
  const out = createWriteStream(file);
  let changed = 0;
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${HEADER}\n`);
  for (let i = 0; i < n; i++) {
    const c = changedEvery > 0 && i % changedEvery === 0;
    if (c) changed++;
    await write(`${rosterLine(i, c)}\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return changed;
}

/** Peak (VmHWM) or current (VmRSS) resident set of a live process, in MB. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const callsByMethod = (before: CountersSnapshot, after: CountersSnapshot): Record<string, number> => {
  const sum = (c: CountersSnapshot, m: string) => Object.values(c.requests[m] ?? {}).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const m of Object.keys(after.requests)) {
    const n = sum(after, m) - sum(before, m);
    if (n) out[m] = n;
  }
  return out;
};

export default async function nightlyBench(argv: string[]): Promise<Record<string, unknown>> {
  const n = numberArg(argv, 'practices', 200_000);
  const rps = numberArg(argv, 'rps', 500);
  const workerCount = numberArg(argv, 'workers', 1);
  const changedShare = numberArg(argv, 'changed', 0.01);
  // The workers run with the image's NODE_OPTIONS (the Dockerfile's ENV), as deployed; --heap-mb M
  // replaces its heap cap (--max-old-space-size), 0 removes it.
  const imageOptions = /NODE_OPTIONS=("[^"]*"|\S+)/.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1]?.replace(/^"|"$/g, '') ?? '';
  const imageHeapMb = Number(/--max-old-space-size=(\d+)/.exec(imageOptions)?.[1] ?? 0) || null;
  const heapMb = (argv.includes('--heap-mb') ? numberArg(argv, 'heap-mb', 0) : imageHeapMb) || null;
  const nodeOptions = [imageOptions.replace(/--max-old-space-size=\d+/, '').trim(), heapMb ? `--max-old-space-size=${heapMb}` : ''].filter(Boolean).join(' ');
  const dbUrl = process.env.BENCH_NIGHTLY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/updox_sync_bench_nightly';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-nightly-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-bench-nightly-'));
  const log = (s: string) => console.log(`[nightly ${n}] ${s}`);

  // A fresh database for the bench.
  const u = new URL(dbUrl);
  const dbName = u.pathname.slice(1);
  const server = createKnex(Object.assign(new URL(dbUrl), { pathname: '/postgres' }).toString(), { min: 0, max: 1 });
  await server.raw(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await server.raw(`CREATE DATABASE "${dbName}"`);
  await server.destroy();
  const migrator = createKnex(dbUrl, { min: 0, max: 1 });
  await migrateLatest(migrator);
  await migrator.destroy();

  // The workers run the build (a transpiler in each worker would cost it ~150 MB of its own).
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('npm run build failed');

  const sim = await startSimulator({ applicationId: APP_ID, applicationPassword: APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: rps } });
  const admin = simulatorAdmin(sim.url);
  const t0 = Date.now();
  let notVerified = 0;
  for (let from = 0; from < n; from += 20_000) {
    const practices: Record<string, unknown>[] = [];
    const numbers: Record<string, unknown>[] = [];
    for (let i = from; i < Math.min(n, from + 20_000); i++) {
      practices.push(practice(i));
      const mix = mixOf(i);
      if (mix !== 'VERIFIED') notVerified++;
      if (mix !== 'none') numbers.push({ accountId: `bn-${ext(i)}`, number: `800${String(i).padStart(7, '0')}`, verificationStatus: mix });
    }
    await admin.seed({ practices, numbers });
  }
  log(`seeded ${n} practices (${notVerified} without a verified number) in ${Date.now() - t0} ms; workers' NODE_OPTIONS: ${nodeOptions || '(none)'}`);

  const base = readFileSync(path.join(ROOT, 'test/fixtures/config/test.yaml'), 'utf8');
  const partnerAndPeople = base.slice(0, base.indexOf('sources:'));
  const roster = path.join(dir, 'roster.csv');
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, `${partnerAndPeople}sources:
  - name: bench
    kind: csv
    path: ${roster}
    accountId: { prefix: "bn-" }
    assign: { by: column, default: priya@partner.example }
# The scheduled pull and report (every 6 h, daily) would add their calls to a night's figures.
numbers:
  schedule: "0 0 1 1 *"
reports:
  outDir: ${path.join(dir, 'reports')}
  schedule: "0 0 1 1 *"
`);
  const env: Record<string, string> = {
    UPDOX_SYNC_CONFIG: configFile, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl,
    UPDOX_APPLICATION_ID: APP_ID, UPDOX_APPLICATION_PASSWORD: APP_PASSWORD, UPDOX_REQUESTS_PER_SECOND: String(rps), LOG_LEVEL: 'warn',
  };

  const children: ChildProcess[] = [];
  let stopping = false;
  let workerDied: string | null = null;
  for (let w = 0; w < workerCount; w++) {
    // The compiled worker, as operators run it (bin/updox-sync.mjs → dist/cli.js), in its own node process.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/updox-sync.mjs'), 'worker', '--updox-concurrency', '8'], {
      cwd: dir, stdio: ['ignore', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) } as NodeJS.ProcessEnv,
    });
    children.push(child);
    child.once('exit', (code, signal) => { if (!stopping) workerDied = `worker ${w + 1} exited (${code ?? signal}) during the bench`; });
  }
  const app = createApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { dbPool: { min: 0, max: 2 } });
  const q = createQueues(app.deps);
  const peaks = () => children.map((c) => (c.pid ? rssMb(c.pid) : null));
  const current = () => Math.max(0, ...children.map((c) => (c.pid ? rssMb(c.pid, 'VmRSS') ?? 0 : 0)));

  async function night(label: string, changedEvery: number): Promise<Record<string, unknown>> {
    const changed = await writeRoster(roster, n, changedEvery);
    const before = await admin.counters();
    const started = Date.now();
    const { runId, skipped } = await openSyncRun(app.deps, { source: 'bench', trigger: 'bench', dryRun: false, night: batchNight(tonight(app.deps), `${prefix}-${label}`) });
    if (skipped) throw new Error(`${label}: the run was skipped`);
    await addSourceFlow(q, runId);
    const steps: Record<string, number> = {};
    // The largest worker's resident set seen during each step (sampled at every poll).
    const stepRss: Record<string, number> = {};
    let step = '';
    let since = started;
    const mark = (name: string) => {
      if (step) stepRss[step] = Math.max(stepRss[step] ?? 0, current());
      if (name === step) return;
      if (step) steps[step] = (steps[step] ?? 0) + (Date.now() - since);
      step = name;
      since = Date.now();
    };
    const { run, partner } = await waitForFlow(app.deps.db, runId, {
      timeoutMs: 3 * 60 * 60_000, pollMs: 250,
      onState: ({ run: r, partner: p }) => {
        if (workerDied) throw new Error(workerDied);
        if (p && p.status !== 'queued') mark(p.step ?? 'partner');
        else mark(r.step ?? r.status);
      },
    });
    mark('');
    const after = await admin.counters();
    const calls = callsByMethod(before, after);
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    const planMs = (run.plan_stats as { durationMs?: number } | null)?.durationMs ?? null;
    const figures = {
      status: run.status, partnerStatus: partner?.status ?? null, changed, wallSeconds: Math.round((Date.now() - started) / 100) / 10,
      stepSeconds: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v / 100) / 10])),
      stepWorkerRssMb: stepRss,
      calls, totalCalls: total, callsPerChanged: changed ? Math.round((total / changed) * 100) / 100 : null, planMs,
      workerPeakRssMb: peaks(), rateLimitViolations: after.rateLimitViolations - before.rateLimitViolations,
    };
    log(`${label}: ${JSON.stringify(figures)}`);
    return figures;
  }

  try {
    const first = await night('night1', 0);
    const second = await night('night2', Math.round(1 / changedShare));
    const budget = Math.floor(1.2 * ((second.changed as number) + notVerified)) + 1;
    const peak = Math.max(...[...(first.workerPeakRssMb as (number | null)[]), ...(second.workerPeakRssMb as (number | null)[])].map((v) => v ?? 0));
    const targets = {
      succeeded: first.status === 'succeeded' && second.status === 'succeeded' && first.partnerStatus === 'succeeded' && second.partnerStatus === 'succeeded',
      workerPeakRssMb: peak, rssWithin: peak <= RSS_TARGET_MB,
      night2Calls: second.totalCalls, night2CallBudget: budget, callsWithin: (second.totalCalls as number) <= budget,
    };
    log(`targets: ${JSON.stringify(targets)}`);
    const missed = [['succeeded', targets.succeeded], ['rssWithin', targets.rssWithin], ['callsWithin', targets.callsWithin]]
      .filter(([, met]) => !met).map(([name]) => name as string);
    return { practices: n, rps, workers: workerCount, heapMb, nodeOptions, notVerified, night1: first, night2: second, targets, missed };
  } finally {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise<void>((r) => { if (c.exitCode !== null) r(); else c.once('exit', () => r()); })));
    await q.close();
    await app.close();
    await sim.close();
    await deleteKeys(`${prefix}:`, redisUrl);
  }
}
