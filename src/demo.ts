/**
 * `npm run demo`: with Postgres and Redis reachable, migrates, starts the Updox simulator on a free
 * loopback port, runs the nightly flow for the bundled sample roster through BullMQ (workers in this
 * process) and prints a summary. The simulator's memory is saved to out/demo/sim-state.json and
 * restored on the next demo, standing in for Updox remembering what was saved — so a second demo
 * makes zero API writes.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createApp } from './app';
import { loadConfig } from './config';
import { ensureDatabase } from './db/ensure-database';
import { migrateLatest } from './db/knex';
import { EXIT, SyncError } from './errors';
import { openSyncRun } from './pipeline/open';
import { tonight } from './pipeline/partner-steps';
import { batchNight, waitForFlow } from './pipeline/wait';
import { formatSummary, summarizeRun, type RunSummary } from './nightly/summary';
import { ensureServices, standardTargets } from './services-check';
import { simulatorAdmin, startSimulator } from './simulator';
import { randomUUID } from 'node:crypto';
import { createQueues } from '../jobs/queues';
import { addSourceFlow } from '../jobs/flows';
import { startWorkers } from '../jobs/worker';

export interface DemoOptions {
  configFile?: string;
  stateDir?: string;
  json?: boolean;
  print: (s: string) => void;
  env?: Record<string, string | undefined>;
}

export interface DemoResult {
  summary: RunSummary;
  simWrites: number;
  reportFiles: string[];
  audit: Record<string, number>;
  numbers: Record<string, number>;
}

const DEMO_APP_ID = 'demo-app';
const DEMO_APP_PASSWORD = 'demo-secret';

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const env = opts.env ?? process.env;
  const stateDir = path.resolve(opts.stateDir ?? 'out/demo');
  const base = loadConfig(env, {
    UPDOX_SYNC_CONFIG: opts.configFile ?? env.UPDOX_SYNC_CONFIG ?? 'config/example.yaml',
    UPDOX_BASE_URL: 'http://127.0.0.1:1/api/io', // replaced below once the simulator listens
    UPDOX_APPLICATION_ID: DEMO_APP_ID,
    UPDOX_APPLICATION_PASSWORD: DEMO_APP_PASSWORD,
  });
  const missing = await ensureServices(standardTargets(base.databaseUrl, base.redisUrl), opts.print);
  if (missing.length) throw new SyncError('bad-input', 'SERVICES_MISSING', `not reachable: ${missing.join(', ')}`);
  await ensureDatabase(base.databaseUrl);

  mkdirSync(stateDir, { recursive: true });
  const stateFile = path.join(stateDir, 'sim-state.json');
  const sim = await startSimulator({
    applicationId: DEMO_APP_ID,
    applicationPassword: DEMO_APP_PASSWORD,
    autoRequestVerification: true,
    seed: 7,
  });
  const admin = simulatorAdmin(sim.url);
  try {
    if (existsSync(stateFile)) {
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { practices: unknown[]; numbers?: unknown[] };
      await admin.seed({ practices: saved.practices, numbers: saved.numbers ?? [] });
    }
    const config = loadConfig(env, {
      UPDOX_SYNC_CONFIG: base.configFile,
      UPDOX_BASE_URL: sim.baseUrl,
      UPDOX_APPLICATION_ID: DEMO_APP_ID,
      UPDOX_APPLICATION_PASSWORD: DEMO_APP_PASSWORD,
      UPDOX_REQUESTS_PER_SECOND: env.UPDOX_REQUESTS_PER_SECOND ?? '100',
      QUEUE_PREFIX: env.QUEUE_PREFIX ?? 'updox-sync-demo',
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    });
    const app = createApp(config);
    const { deps } = app;
    const q = createQueues(deps);
    const workers = startWorkers(deps, q);
    try {
      const applied = await migrateLatest(deps.db);
      if (applied.length) opts.print(`migrated: ${applied.join(', ')}`);
      const source = config.sources[0]?.name ?? 'demo';
      const startedAt = new Date();
      const before = await admin.counters();
      const night = batchNight(tonight(deps), `demo-${randomUUID().slice(0, 8)}`);
      const { runId, skipped, run } = await openSyncRun(deps, { source, trigger: 'demo', dryRun: false, night });
      if (skipped) throw new SyncError('bad-input', 'RUN_IN_PROGRESS', run.error_message ?? `another run of "${source}" is in progress`);
      opts.print(`simulator at ${sim.baseUrl}; nightly run ${runId} for source "${source}" enqueued`);
      await addSourceFlow(q, runId);
      let last = '';
      await waitForFlow(deps.db, runId, {
        timeoutMs: 10 * 60_000, pollMs: 250,
        onState: ({ run: r, partner }) => {
          const line = `  run: ${r.status}${r.step ? ` (${r.step})` : ''}; partner steps: ${partner ? `${partner.status}${partner.step ? ` (${partner.step})` : ''}` : 'waiting'}`;
          if (line !== last) opts.print(line);
          last = line;
        },
      });
      const after = await admin.counters();
      const summary = await summarizeRun(deps.db, runId);
      const audit = await countBy(deps, 'practices', 'audit_status');
      const numbers = await countBy(deps, 'sms_numbers', 'status');
      const reportFiles = await deps.db('report_deliveries').whereNotNull('path').where('created_at', '>=', startedAt).orderBy('id').pluck('path');
      const simWrites = sumValues(after.writesByAccount) - sumValues(before.writesByAccount);
      writeFileSync(stateFile, JSON.stringify({ practices: await admin.practices(), numbers: await admin.numbers() }));
      return { summary, simWrites, reportFiles, audit, numbers };
    } finally {
      await workers.close();
      await q.close();
      await app.close();
    }
  } finally {
    await sim.close();
  }
}

export function formatDemo(r: DemoResult): string {
  const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  return [
    formatSummary(r.summary),
    `  Updox writes seen by the simulator: ${r.simWrites}`,
    `  SMS business details: ${fmt(r.audit)}`,
    `  SMS numbers: ${fmt(r.numbers)}`,
    `  reports: ${r.reportFiles.length ? r.reportFiles.join('\n           ') : 'none new: this period\'s reports were already delivered (once per manager and period)'}`,
  ].join('\n');
}

export const demoExitCode = (r: DemoResult): number => (r.summary.status === 'failed' ? EXIT.failure : EXIT.ok);

const sumValues = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

async function countBy(deps: { db: import('knex').Knex }, table: string, column: string): Promise<Record<string, number>> {
  const rows = (await deps.db(table).select(column).count({ n: '*' }).groupBy(column)) as Record<string, unknown>[];
  return Object.fromEntries(rows.map((r) => [String(r[column] ?? 'none'), Number(r.n)]));
}
