/**
 * `npm run bench -- numbers [--accounts 10000] [--rps 250] [--per-account 1] [--concurrency 32]`
 *
 * Seeds N accounts in the simulator (which enforces the rate limit) and in a bench database
 * (`updox_sync_bench`, created and migrated), runs pullNumbers through the real client at the
 * configured rate, and reports the achieved share of the limit (target ≥ 95%) and the database
 * write time per 10k numbers. Returns the figures (the runner prints them as one JSON line).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { ensureDatabase } from '../src/db/ensure-database';
import { createKnex, migrateLatest } from '../src/db/knex';
import { createLogger } from '../src/log';
import { pullNumbers } from '../src/sms/numbers';
import { simulatorAdmin, startSimulator } from '../src/simulator/index';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../src/updox/types';
import { numberArg } from './args';

const APP_ID = 'bench-app';
const APP_PASSWORD = 'bench-Secret-1';



export default async function numbersBench(argv: string[]): Promise<Record<string, unknown>> {
  const accounts = numberArg(argv, 'accounts', 10_000);
  const rps = numberArg(argv, 'rps', 250);
  const perAccount = numberArg(argv, 'per-account', 1);
  const concurrency = numberArg(argv, 'concurrency', 32);
  const benchDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/updox_sync_bench';

  // 1. Bench database: create, migrate, reset, seed practices.
  await ensureDatabase(benchDbUrl);
  const admin = createKnex(benchDbUrl, { min: 0, max: 2 });
  const ids = Array.from({ length: accounts }, (_, i) => `bench-${String(i).padStart(6, '0')}`);
  try {
    await migrateLatest(admin);
    await admin.raw('TRUNCATE practices, sms_numbers, sms_number_events, business_detail_audits');
    for (let i = 0; i < ids.length; i += 1000) {
      await admin('practices').insert(ids.slice(i, i + 1000).map((id) => ({ account_id: id, name: `Bench ${id}`, active: true, api_version: '1.1' })));
    }
  } finally {
    await admin.destroy();
  }

  if (argv.includes('--db-only')) return dbOnly(benchDbUrl, ids, perAccount, concurrency);

  // 2. Simulator with the same rate limit, seeded with the accounts and their numbers.
  const sim = await startSimulator({ applicationId: APP_ID, applicationPassword: APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: rps } });
  const simAdmin = simulatorAdmin(sim.url);
  const statuses = ['PENDING', 'VERIFIED', 'REJECTED', 'NOT_STARTED'];
  try {
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await simAdmin.seed({
        practices: chunk.map((accountId) => ({ accountId, name: `Bench ${accountId}`, active: true, address1: '1 Main St', city: 'Columbus', state: 'OH', postal: '43215' })),
        numbers: chunk.flatMap((accountId, j) => Array.from({ length: perAccount }, (_, k) => ({
          accountId, number: `8${String(i + j).padStart(6, '0')}${k}`.padEnd(10, '0').slice(0, 10), type: 'TOLL_FREE',
          verificationStatus: statuses[(i + j + k) % statuses.length],
        }))),
      });
    }

    // 3. The pull, through the real client and its Redis limiter.
    const prefix = `updox-sync-bench:${randomUUID().slice(0, 8)}`;
    const config = loadConfig(process.env, {
      UPDOX_SYNC_CONFIG: process.env.UPDOX_SYNC_CONFIG ?? path.resolve('test/fixtures/config/test.yaml'),
      DATABASE_URL: benchDbUrl, UPDOX_BASE_URL: sim.baseUrl, UPDOX_APPLICATION_ID: APP_ID, UPDOX_APPLICATION_PASSWORD: APP_PASSWORD,
      UPDOX_REQUESTS_PER_SECOND: String(rps), UPDOX_MAX_IN_FLIGHT: String(concurrency), QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn',
    });
    const log = createLogger({ level: 'warn' });
    const app = createApp(config, { log, dbPool: { min: 1, max: 4 } });
    try {
      const stats = await pullNumbers(app.deps, app.deps.updox, { concurrency });
      const counters = await simAdmin.counters();
      const achievedRps = stats.accounts / (stats.durationMs / 1000);
      const figures = {
        accounts: stats.accounts, numbers: stats.numbers, rps, concurrency,
        durationMs: stats.durationMs,
        achievedRps: Math.round(achievedRps * 10) / 10,
        shareOfLimit: Math.round((achievedRps / rps) * 1000) / 1000,
        dbWriteMs: stats.dbWriteMs,
        dbWriteMsPer10kNumbers: stats.numbers ? Math.round((stats.dbWriteMs / stats.numbers) * 10_000) : null,
        dbBatches: stats.dbBatches,
        failedAccounts: stats.failedAccounts.length,
        events: stats.events,
        simulatorCounters: counters,
      };
      console.log(`numbers: ${figures.accounts} accounts, ${figures.numbers} numbers in ${(figures.durationMs / 1000).toFixed(1)} s`);
      console.log(`  achieved ${figures.achievedRps} req/s of ${rps} → ${(figures.shareOfLimit * 100).toFixed(1)}% of the limit (target ≥ 95%)`);
      console.log(`  database writes: ${figures.dbWriteMs} ms in ${figures.dbBatches} batches → ${figures.dbWriteMsPer10kNumbers} ms per 10k numbers`);
      return figures;
    } finally {
      await app.close();
    }
  } finally {
    await sim.close();
  }
}

const STATUSES = ['PENDING', 'VERIFIED', 'REJECTED', 'NOT_STARTED'];

/**
 * Without the simulator: the same pull against an in-process vendor answering at once, so the
 * figure is the database side alone (write time per 10k numbers); no rate figures.
 */
async function dbOnly(benchDbUrl: string, ids: string[], perAccount: number, concurrency: number): Promise<Record<string, unknown>> {
  const config = loadConfig(process.env, {
    UPDOX_SYNC_CONFIG: process.env.UPDOX_SYNC_CONFIG ?? path.resolve('test/fixtures/config/test.yaml'),
    DATABASE_URL: benchDbUrl, UPDOX_BASE_URL: 'http://127.0.0.1:1/api/io', UPDOX_APPLICATION_ID: APP_ID,
    UPDOX_APPLICATION_PASSWORD: APP_PASSWORD, LOG_LEVEL: 'warn',
  });
  const app = createApp(config, { log: createLogger({ level: 'warn' }), dbPool: { min: 1, max: 4 } });
  const index = new Map(ids.map((id, i) => [id, i]));
  const unused = () => { throw new Error('unused'); };
  const client: UpdoxClient = {
    async smsSendNumberList(accountId) {
      const i = index.get(accountId) ?? 0;
      const numbers: UpdoxSmsNumber[] = Array.from({ length: perAccount }, (_, k) => ({
        number: `8${String(i).padStart(6, '0')}${k}`.padEnd(10, '0').slice(0, 10), type: 'TOLL_FREE', verificationStatus: STATUSES[(i + k) % 4]!,
      }));
      const res: CallResult<{ numbers: UpdoxSmsNumber[] }> = { outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { numbers }, attempts: 1, ambiguous: false };
      return res as never;
    },
    practiceSave: unused, practiceGet: unused, practiceList: unused, smsSend: unused, ping: unused,
    async close() {},
  };
  try {
    const first = await pullNumbers(app.deps, client, { concurrency });
    const again = await pullNumbers(app.deps, client, { concurrency }); // steady state: every number known, no change
    const per10k = (ms: number, n: number) => (n ? Math.round((ms / n) * 10_000) : null);
    const figures = {
      mode: 'db-only', accounts: first.accounts, numbers: first.numbers,
      firstPullMs: first.durationMs, firstDbWriteMs: first.dbWriteMs, firstDbWriteMsPer10kNumbers: per10k(first.dbWriteMs, first.numbers),
      steadyPullMs: again.durationMs, steadyDbWriteMs: again.dbWriteMs, steadyDbWriteMsPer10kNumbers: per10k(again.dbWriteMs, again.numbers),
      dbBatches: first.dbBatches, events: first.events + again.events,
    };
    console.log(`numbers (db only): ${figures.accounts} accounts, ${figures.numbers} numbers`);
    console.log(`  first pull (all new): ${figures.firstDbWriteMs} ms of writes → ${figures.firstDbWriteMsPer10kNumbers} ms per 10k numbers`);
    console.log(`  steady pull (no change): ${figures.steadyDbWriteMs} ms of writes → ${figures.steadyDbWriteMsPer10kNumbers} ms per 10k numbers`);
    return figures;
  } finally {
    await app.close();
  }
}
