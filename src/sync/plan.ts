/**
 * planRun: the three-way diff of a run's staged roster against `practices` (base) and the run's
 * PracticeList snapshot (remote), set-based in Postgres (src/sync/plan-sql.ts, rules in merge.ts).
 * Writes one `sync_actions` row per create, update, deactivate or reactivate (unchanged practices
 * get none), then applies the guardrail: the run ends `planned`, or `held` with the reason.
 * All in one transaction, so a crash mid-plan leaves the run as it was and the plan can be re-run.
 */
import type { AppDeps } from '../app';
import type { SourceConfig } from '../config';
import { BadInputError, PermanentError } from '../errors';
import { PRACTICE_FIELDS, type PracticeField } from '../practice';
import { analyzeRosterRows } from '../roster/stage';
import { shouldHold, type HoldDecision } from './guardrails';
import type { ConflictPolicy } from './merge';
import {
  ANALYZE_PLAN_REST_SQL, CREATE_PLAN_REST_SQL, FILL_PLAN_REST_SQL, healDigestsSql, KEYS_COUNTS_SQL, managedSignature, PARALLEL_KEYS_SQL, planKeysSql, type KeysRow,
} from './plan-keys-sql';
import { CREATE_PLAN_GONE_SQL, KNOWN_PRACTICES_SQL, planStatementSql, recordUnchangedSql, withPgTransaction } from './plan-sql';
import { emitPlanEvents, isPlannable, PLANNABLE_STATUSES, recordPlan, type Queryable, type RunRow } from '../runs';

export interface PlanOptions {
  runId: string;
  source: SourceConfig;
  /** Accepted for symmetry with the other steps; the plan itself makes no call. */
  client?: unknown;
  /** Override config.sync.conflictPolicy (tests, CLI). */
  policy?: ConflictPolicy;
}

export interface PlanCounts {
  create: number;
  update: number;
  deactivate: number;
  reactivate: number;
  unchanged: number;
  /** Roster rows whose accountId belongs to a practice of another source or external id: not planned. */
  collision: number;
  /** Roster rows whose PracticeList entry could not be read (wrong types, listed twice differently): not planned. */
  unreadable: number;
  /** Practices with at least one field changed on both sides (resolved by policy). */
  conflicts: number;
  conflictFields: number;
  /** Practices found in Updox that we had never saved (update = adopt). */
  adopted: number;
  clearsAddress: number;
  clearsWebsite: number;
  poBox: number;
  /** Planned again because the last save failed. */
  retried: number;
  /** Denominator of the guardrail shares. */
  known: number;
  /** Unchanged rows the first pass set aside by digest, without the field-level merge (plan-keys-sql.ts). */
  setAside: number;
}

export interface PlanResult {
  runId: string;
  counts: PlanCounts;
  held: boolean;
  heldReason: string | null;
  guardrail: HoldDecision;
  dryRun: boolean;
  durationMs: number;
  /** Older plans of the source this plan superseded (their ids). */
  superseded: string[];
}

/** Work memory for the plan transaction: the 100k-row diff then stays in memory. */
const PLAN_WORK_MEM = '128MB';

/** One row per op; the outbox flag counts repeat on every row. */
interface StatementRow {
  op: string; n: number;
  conflicts: number; conflict_fields: number; known_remote: number; adopted: number;
  clears_address: number; clears_website: number; po_box: number; retried: number;
}

/**
 * The plan's join choices rest on roster_rows' statistics. Import refreshes them after its COPY;
 * when that did not happen (its ANALYZE failed, the rows came another way) they describe another
 * table, and a plan from them took 7 s instead of 1.2 s for 100k rows (a nested loop over what
 * the planner took for 150 rows). Then they are refreshed here: a sample of three columns, ~0.3 s,
 * outside the plan's transaction so that concurrent plans do not queue on its lock. Best effort.
 */
async function refreshRosterStatistics(deps: Pick<AppDeps, 'db' | 'log'>): Promise<void> {
  try {
    // Stale: more than a tenth of the live rows (and over 1,000) arrived since the last ANALYZE or
    // VACUUM counted them. (n_mod_since_analyze would not do: a column-list ANALYZE keeps it.)
    const r = await deps.db.raw(`SELECT s.n_live_tup - greatest(c.reltuples, 0) > greatest(s.n_live_tup / 10, 1000) AS stale
      FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'roster_rows'::regclass`);
    if ((r.rows[0] as { stale?: boolean } | undefined)?.stale) await analyzeRosterRows(deps.db);
  } catch (err) {
    deps.log.warn({ err }, 'could not refresh roster_rows statistics; planning with the ones there are');
  }
}

export async function planRun(deps: Pick<AppDeps, 'db' | 'config' | 'log'>, opts: PlanOptions): Promise<PlanResult> {
  const t0 = performance.now();
  const { runId, source } = opts;
  const policy = opts.policy ?? deps.config.sync.conflictPolicy;
  const log = deps.log.child({ runId, source: source.name });
  await refreshRosterStatistics(deps);
  const result = await withPgTransaction(deps.db, async (c) => {
    const run = (await c.query('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId])).rows[0] as RunRow | undefined;
    checkPlannable(run, runId);
    const applied = await c.query(`SELECT 1 FROM sync_actions WHERE run_id = $1 AND status <> 'pending' LIMIT 1`, [runId]);
    if (applied.rowCount) throw new PermanentError('PLAN_ALREADY_APPLYING', `run ${runId}: its actions are already being applied; it cannot be planned again`);
    await c.query(`SET LOCAL work_mem = '${PLAN_WORK_MEM}'`);
    // JIT compiling the wide merge expressions costs about a second and saves less than that.
    await c.query('SET LOCAL jit = off');
    await c.query('DELETE FROM sync_actions WHERE run_id = $1', [runId]);

    const managed = new Set((run!.managed_fields ?? []).filter((f): f is PracticeField => (PRACTICE_FIELDS as readonly string[]).includes(f)));
    // First pass: unchanged rows are counted and set aside; the merge sees only the rest.
    await c.query(CREATE_PLAN_REST_SQL);
    const signature = managedSignature(managed);
    for (const q of PARALLEL_KEYS_SQL) await c.query(q);
    await c.query(planKeysSql(managed), [runId, source.name, signature]);
    await c.query(FILL_PLAN_REST_SQL);
    const keys = (await c.query(KEYS_COUNTS_SQL, [runId])).rows[0] as KeysRow;
    await c.query(ANALYZE_PLAN_REST_SQL);
    if (source.fullRoster) await c.query(CREATE_PLAN_GONE_SQL, [runId, source.name]);
    const sql = planStatementSql({ managed, policy, fullRoster: source.fullRoster, restricted: true, readOnly: deps.config.updox.readOnlyPracticeFields });
    const rows = (await c.query(sql, [runId, source.name])).rows as StatementRow[];
    const knownOwn = ((await c.query(KNOWN_PRACTICES_SQL, [source.name])).rows[0] as { n: number }).n;
    const counts = toCounts(rows, knownOwn, keys);
    const guardrail = shouldHold(counts, deps.config.guardrails);
    const durationMs = Math.round(performance.now() - t0);
    const snapshot = (run!.plan_stats as { snapshot?: unknown } | null)?.snapshot ?? null;
    const planStats = { snapshot, counts, durationMs, policy, fullRoster: source.fullRoster, managedFields: [...managed], guardrail };
    const recorded = await recordPlan(c as unknown as Queryable, run!, { planStats, held: guardrail.hold, heldReason: guardrail.hold ? guardrail.reason : null });
    if (!guardrail.hold && !run!.dry_run) for (const q of recordUnchangedSql(true)) await c.query(q, [runId, source.name]);
    await c.query(healDigestsSql(managed), [runId, source.name, signature]);
    return { runId, counts, held: guardrail.hold, heldReason: guardrail.hold ? guardrail.reason : null, guardrail, dryRun: run!.dry_run, durationMs, recorded };
  });
  emitPlanEvents(result.recorded);
  const { recorded, ...rest } = result;
  if (result.held) log.warn({ counts: result.counts, reason: result.heldReason }, 'run held by guardrail');
  else log.info({ counts: result.counts, durationMs: result.durationMs }, 'plan done');
  return { ...rest, superseded: recorded.superseded.map((r) => r.id) };
}

function checkPlannable(run: RunRow | undefined, runId: string): void {
  if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${runId} not found`);
  if (!isPlannable(run.status)) {
    throw new PermanentError('PLAN_NOT_ALLOWED', `run ${runId} is ${run.status}${run.error_message ? ` (${run.error_message})` : ''}; only a run that is ${PLANNABLE_STATUSES.join(', ')} can be planned`);
  }
  if (run.import_stats == null) throw new BadInputError('PLAN_NO_ROSTER', `run ${runId} has no imported roster; import it first`);
  // Never plan against nothing: without a snapshot every practice would look absent from Updox.
  if (!(run.plan_stats as { snapshot?: unknown } | null)?.snapshot) {
    throw new PermanentError('PLAN_NO_SNAPSHOT', `run ${runId} has no PracticeList snapshot; snapshotRemote must succeed before planning`);
  }
}

function toCounts(rows: StatementRow[], knownOwn: number, keys: KeysRow): PlanCounts {
  const n = (op: string) => rows.find((r) => r.op === op)?.n ?? 0;
  const sum = (k: 'conflicts' | 'conflict_fields' | 'known_remote' | 'adopted') =>
    rows.filter((r) => r.op !== 'collision' && r.op !== 'unreadable').reduce((a, r) => a + r[k], 0);
  const flags = rows[0] ?? { clears_address: 0, clears_website: 0, po_box: 0, retried: 0 };
  return {
    create: n('create'), update: n('update'), deactivate: n('deactivate'), reactivate: n('reactivate'),
    unchanged: n('unchanged') + keys.same, collision: n('collision'), unreadable: n('unreadable'),
    conflicts: sum('conflicts'), conflictFields: sum('conflict_fields'), adopted: sum('adopted'),
    clearsAddress: flags.clears_address, clearsWebsite: flags.clears_website, poBox: flags.po_box, retried: flags.retried,
    known: knownOwn + sum('known_remote') + keys.same_known_remote,
    setAside: keys.same,
  };
}
