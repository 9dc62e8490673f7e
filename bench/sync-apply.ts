/**
 * Apply throughput as a share of the configured rate limit, with 1 and 3 worker PROCESSES on one
 * run, against the simulator enforcing the same limit (target ≥ 95%, zero violations).
 * Called by bench/sync.ts; alone: `npx tsx bench/sync-apply.ts [--apply-rps 100] [--apply-actions N]
 * [--apply-workers 1,3] [--apply-concurrency 16]`.
 *
 * Each worker is test/integration/sync/apply-child.ts (the crash tests' worker: real Postgres,
 * Redis limiter, client). Workers start, report ready, and wait until the run leaves `queued`, so
 * process start-up is not timed. Time = Postgres clock from the release of the run to the last
 * recorded outcome; the share is actions / time / rps.
 */
import { asQueryable, createRun, recordPlan } from '../src/runs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDatabase } from '../src/db/ensure-database';
import { createKnex, migrateLatest, type Knex } from '../src/db/knex';
import { simulatorAdmin, startSimulator } from '../src/simulator/index';
import { payloadHash } from '../src/sync/merge';
import { TEST_APP_ID, TEST_APP_PASSWORD } from '../test/helpers/env';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.resolve(here, '../test/integration/sync/apply-child.ts');

export interface ApplyFigures {
  workers: number;
  actions: number;
  rps: number;
  seconds: number;
  achievedRps: number;
  shareOfLimit: number;
  rateLimitViolations: number;
  maxRequestsPerSecond: number;
  saves: number;
}

function arg(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
}

function payload(i: number): Record<string, string> {
  const n = String(i).padStart(6, '0');
  return {
    accountId: `bench-${n}`, name: `Bench Practice ${n}`, address1: `${i + 1} Main Street`, city: 'Columbus', state: 'OH',
    postal: '43215', phone: `614${String(5_000_000 + i).slice(-7)}`, timeZone: 'America/New_York', active: 'true', websiteUrl: `https://b${n}.example`,
  };
}

async function oneRound(db: Knex, dbUrl: string, simUrl: string, baseUrl: string, workers: number, actions: number, rps: number, concurrency: number): Promise<ApplyFigures> {
  const admin = simulatorAdmin(simUrl);
  await admin.request('POST', '/_sim/reset', {});
  await admin.request('POST', '/_sim/rate-limit', { requestsPerSecond: rps });
  await db.raw('TRUNCATE sync_actions, practices, runs CASCADE');
  const { run } = await createRun(db, { kind: 'sync', partnerId: 'bench', source: 'small', dryRun: false, trigger: 'bench' });
  const runId = run.id;
  for (let i = 0; i < actions; i += 1000) {
    await db('sync_actions').insert(Array.from({ length: Math.min(1000, actions - i) }, (_, j) => {
      const p = payload(i + j);
      return { run_id: runId, account_id: p.accountId, op: 'create', payload: JSON.stringify(p), payload_hash: payloadHash(p), status: 'pending', source: 'small' };
    }));
  }
  const prefix = `updox-sync-bench:apply:${randomUUID().slice(0, 8)}`; // one shared limiter per round
  const env = {
    ...process.env, DATABASE_URL: dbUrl, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: baseUrl, UPDOX_REQUESTS_PER_SECOND: String(rps),
    UPDOX_MAX_IN_FLIGHT: String(concurrency * workers), UPDOX_TIMEOUT_MS: '10000', APPLY_RUN_ID: runId, APPLY_WAIT_FOR_GO: '1',
    APPLY_CONCURRENCY: String(concurrency), APPLY_LEASE_MS: '30000', APPLY_BACKOFF_MS: '200', LOG_LEVEL: 'warn',
  };
  let ready = 0;
  let signalReady: () => void = () => {};
  const allReady = new Promise<void>((r) => { signalReady = r; });
  const exits = Array.from({ length: workers }, (_, w) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...env, APPLY_WORKER_ID: `bench-${w}` }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready') && ++ready === workers) signalReady(); });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`apply worker ${w} exited with ${code}`))));
  }));
  await allReady;
  await db('runs').where({ id: runId }).update({ started_at: db.fn.now() });
  await recordPlan(asQueryable(db), run, { planStats: { bench: true }, held: false, heldReason: null });
  await Promise.all(exits);
  const { rows } = await db.raw(
    `SELECT extract(epoch FROM max(a.finished_at) - r.started_at) AS seconds, count(*) FILTER (WHERE a.status = 'succeeded') AS ok, sum(a.attempts) AS saves
       FROM sync_actions a JOIN runs r ON r.id = a.run_id WHERE a.run_id = ? GROUP BY r.started_at`, [runId]);
  const r = (rows as Record<string, string>[])[0]!;
  if (Number(r.ok) !== actions) throw new Error(`only ${r.ok} of ${actions} actions succeeded`);
  const counters = await admin.counters();
  const seconds = Number(r.seconds);
  const achievedRps = actions / seconds;
  return {
    workers, actions, rps, seconds: Math.round(seconds * 100) / 100, achievedRps: Math.round(achievedRps * 10) / 10,
    shareOfLimit: Math.round((achievedRps / rps) * 1000) / 1000, rateLimitViolations: Number(counters.rateLimitViolations),
    maxRequestsPerSecond: Number(counters.maxRequestsPerSecond), saves: Number(r.saves),
  };
}

export async function benchApply(argv: string[] = []): Promise<{ apply: ApplyFigures[] }> {
  const rps = Number(arg(argv, 'apply-rps', '100'));
  const actions = Number(arg(argv, 'apply-actions', String(rps * 15)));
  const workerCounts = arg(argv, 'apply-workers', '1,3').split(',').map(Number);
  const concurrency = Number(arg(argv, 'apply-concurrency', '16'));
  const dbUrl = process.env.BENCH_APPLY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/updox_sync_bench_apply';
  await ensureDatabase(dbUrl);
  const db = createKnex(dbUrl, { min: 0, max: 4 });
  const s = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: rps } });
  const out: ApplyFigures[] = [];
  try {
    await migrateLatest(db);
    for (const workers of workerCounts) {
      const f = await oneRound(db, dbUrl, s.url, s.baseUrl, workers, actions, rps, concurrency);
      console.log(`apply: ${workers} worker process(es), ${f.actions} saves at a ${rps}/s limit in ${f.seconds} s → ${f.achievedRps}/s = ${(f.shareOfLimit * 100).toFixed(1)}% of the limit (target ≥ 95%); ${f.rateLimitViolations} violations, peak ${f.maxRequestsPerSecond} req in 1 s`);
      out.push(f);
    }
  } finally {
    await s.close();
    await db.destroy();
  }
  return { apply: out };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await benchApply(process.argv.slice(2));
  console.log(JSON.stringify({ bench: 'sync-apply', ...figures }));
  process.exit(0);
}
