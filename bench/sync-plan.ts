/**
 * Plan benchmark (part of `npm run bench -- sync`): planRun for N staged roster rows against N known
 * practices and N remote (snapshot) practices with 1% of the roster changed. Data is generated
 * set-based in SQL on a dedicated database (updox_sync_bench_plan, dropped at the end).
 * Also times storing an N-practice PracticeList snapshot (snapshotRemote's COPY; the list call is
 * served from memory). Target: plan < 5 s for 100k. `--keep` keeps the database for EXPLAIN.
 */
import { createRun, startStep } from '../src/runs';
import { loadConfig } from '../src/config';
import { createKnex, migrateLatest, type Knex } from '../src/db/knex';
import { createLogger } from '../src/log';
import type { PracticeField } from '../src/practice';
import { planRun, type PlanResult } from '../src/sync/plan';
import { snapshotRemote } from '../src/sync/snapshot';
import type { UpdoxPractice } from '../src/updox/types';
import { adminQuery, dbUrl } from '../test/helpers/pg';
import { testEnv } from '../test/helpers/env';

const DB = 'updox_sync_bench_plan';
const SOURCE = 'bench';
const MANAGED: PracticeField[] = ['name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'fax', 'websiteUrl', 'alternativeWebsiteUrl', 'timeZone'];

export interface PlanFigures {
  rows: number;
  changedShare: number;
  generateSeconds: number;
  /**
   * First plan, right after staging (roster_rows not yet analyzed: planRun analyzes it first), and
   * with no digests stored yet: every row goes through the field-level merge, then the digests of
   * the practices proven equal are stored (a one-time cost, after an upgrade).
   */
  planColdSeconds: number;
  /** Median of 5 re-plans of the same run: the nightly steady state, unchanged rows set aside by digest (practices vacuumed after the first plan, as autovacuum does by the next night). */
  planSeconds: number;
  planRunsSeconds: number[];
  counts: PlanResult['counts'];
  snapshotStoreSeconds: number;
  targetSeconds: number;
}

const VALUES = (i: string) => `'Clinic ' || ${i}, (${i} % 9999 + 1) || ' Main St', CASE WHEN ${i} % 5 < 2 THEN 'Suite ' || (${i} % 900 + 100) END,
  'Columbus', 'OH', lpad((${i} % 99999)::text, 5, '0'), 'US', '614' || lpad((${i} % 10000000)::text, 7, '0'),
  CASE WHEN ${i} % 5 < 3 THEN '380' || lpad(((${i} * 7) % 10000000)::text, 7, '0') END, 'https://clinic' || ${i} || '.example',
  CASE WHEN ${i} % 7 = 0 THEN 'https://social.example/p' || ${i} END, NULL, 'America/New_York', NULL, NULL, true`;
const COLS = 'name, address1, address2, city, state, postal, country, phone, fax, website_url, alternative_website_url, website_address, time_zone, direct_domain, direct_address, active';
const id = (prefix: string, i: string) => `'${prefix}' || lpad(${i}::text, 7, '0')`;

async function generate(db: Knex, runId: string, n: number): Promise<void> {
  await db.raw(`INSERT INTO practices (account_id, source, external_id, ${COLS}, manager_email, api_version, last_status)
    SELECT ${id('bp-', 'i')}, '${SOURCE}', ${id('P', 'i')}, ${VALUES('i')}, 'manager' || (i % 50) || '@partner.example', '1.1', 'succeeded'
    FROM generate_series(1, ${n}) i`);
  // digest: what snapshotRemote writes (an md5 of the practice columns; here computed in SQL).
  await db.raw(`INSERT INTO remote_snapshots (run_id, account_id, ${COLS}, vetted, digest, raw)
    SELECT ?, account_id, ${COLS}, false, md5(ROW(${COLS})::text)::uuid, jsonb_build_object('accountId', account_id, 'name', name, 'address1', address1,
      'address2', coalesce(address2, ''), 'city', city, 'state', state, 'postal', postal, 'country', country, 'phone', phone,
      'fax', coalesce(fax, ''), 'websiteUrl', website_url, 'alternativeWebsiteUrl', coalesce(alternative_website_url, ''),
      'websiteAddress', '', 'timeZone', time_zone, 'directDomain', '', 'directAddress', NULL, 'metadata', '', 'vetted', false, 'active', active)
    FROM practices`, [runId]);
  // The roster: the same practices, 1% with a new phone number.
  await db.raw(`INSERT INTO roster_rows (run_id, row_number, external_id, account_id, ${COLS}, manager_email)
    SELECT ?, i + 1, ${id('P', 'i')}, ${id('bp-', 'i')}, ${VALUES('i')}, 'manager' || (i % 50) || '@partner.example'
    FROM generate_series(1, ${n}) i`, [runId]);
  await db.raw(`UPDATE roster_rows SET phone = '999' || lpad(row_number::text, 7, '0') WHERE run_id = ? AND row_number % 100 = 0`, [runId]);
  await db.raw('VACUUM ANALYZE practices');
  await db.raw('VACUUM ANALYZE remote_snapshots');
}

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

export async function benchPlan(argv: string[] = []): Promise<PlanFigures> {
  const rowsArg = argv.indexOf('--plan-rows');
  const n = rowsArg >= 0 ? Number(argv[rowsArg + 1]) : 100_000;
  await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${DB}`);
  const db = createKnex(dbUrl(DB), { min: 0, max: 4 });
  try {
    await migrateLatest(db);
    const config = loadConfig(testEnv({ DATABASE_URL: dbUrl(DB), LOG_LEVEL: 'silent' }));
    const deps = { db, config, log: createLogger(config.log) };
    const source = { ...config.sources[0]!, name: SOURCE, fullRoster: true };
    const { run } = await createRun(db, { kind: 'sync', partnerId: 'bench', source: SOURCE, dryRun: false, trigger: 'test' });
    const runId = run.id;
    await db('runs').where({ id: runId }).update({
      managed_fields: MANAGED, import_stats: JSON.stringify({ read: n, valid: n, quarantined: 0 }), plan_stats: JSON.stringify({ snapshot: { practices: n } }),
    });
    await startStep(db, runId, 'plan', 'bench');

    let t0 = performance.now();
    await generate(db, runId, n);
    const generateSeconds = seconds(t0);
    console.log(`generated ${n} practices, ${n} remote, ${n} staged (1% changed) in ${generateSeconds} s`);

    t0 = performance.now();
    let plan = await planRun(deps, { runId, source });
    const planColdSeconds = seconds(t0);
    console.log(`plan (fresh staging, no statistics, no digests yet: planRun refreshes the statistics, merges every row, stores the digests): ${planColdSeconds} s  ${JSON.stringify(plan.counts)}`);
    await db.raw('ANALYZE roster_rows');
    // The first plan rewrote every practice (their digests); by the next night autovacuum has
    // cleaned those row versions up, and the steady state is timed on that table.
    await db.raw('VACUUM ANALYZE practices');
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      plan = await planRun(deps, { runId, source });
      runs.push(seconds(t0));
    }
    const planSeconds = [...runs].sort((a, b) => a - b)[2]!;
    console.log(`plan (analyzed, digests stored, practices vacuumed, 5 runs): ${runs.join(' / ')} s; median ${planSeconds} s (target < 5 s at 1M, < 1 s at 100k); set aside ${plan.counts.setAside}`);
    if (plan.counts.update !== Math.floor(n / 100) || plan.counts.unchanged !== n - Math.floor(n / 100)) {
      throw new Error(`unexpected plan counts: ${JSON.stringify(plan.counts)}`);
    }

    // Storing a PracticeList snapshot of n practices (the HTTP call itself is the client bench's business).
    const list = (await db('remote_snapshots').where({ run_id: runId }).select('raw')).map((r: { raw: UpdoxPractice }) => r.raw);
    const { run: snapRun } = await createRun(db, { kind: 'sync', partnerId: 'bench', source: `${SOURCE}-snap`, dryRun: false, trigger: 'test' });
    await startStep(db, snapRun.id, 'plan', 'bench');
    const fakeList = async () => ({ outcome: 'ok' as const, code: 2000, message: 'OK', httpStatus: 200, attempts: 1, ambiguous: false, body: { practiceList: list } });
    t0 = performance.now();
    await snapshotRemote(deps, { practiceList: fakeList }, (snapRun as { id: string }).id);
    const snapshotStoreSeconds = seconds(t0);
    console.log(`snapshot store (COPY ${list.length} practices + ANALYZE): ${snapshotStoreSeconds} s`);

    return { rows: n, changedShare: 0.01, generateSeconds, planColdSeconds, planSeconds, planRunsSeconds: runs, counts: plan.counts, snapshotStoreSeconds, targetSeconds: 5 };
  } finally {
    await db.destroy();
    if (!argv.includes('--keep')) await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
