/**
 * The one-off bulk migration of accounts last saved through the un-versioned API (issue 5,
 * "Legacy upgrade"): adopt them from PracticeList (or an operator's list), re-save each through
 * PracticeSave/1.1 with the roster's full business details and website URLs, and report which
 * cannot be upgraded and why. The re-saves are outbox rows (op 'upgrade') of a run of kind
 * 'upgrade', applied by applyRun, so a crash resumes exactly like a sync: running the command
 * again picks up the unfinished run.
 */
import { payloadHash } from './merge';
import type { AppDeps } from '../app';
import { valuesFromRow, type PracticeValues } from '../practice';
import { PermanentError } from '../errors';
import { snapshotRemote } from './snapshot';
import type { UpdoxClient, UpdoxPractice } from '../updox/types';
import { applyRun, type ApplyOptions, type ApplyProgress, type ApplyResult } from './apply';
import { extraFields, fromWire, toPayload } from './payload';
import {
  asQueryable, attemptId, isAppliable, DEFAULT_LEASE_MS, createRun, LEASED_STATUSES, ownerIsGone, recordPlan, resumeRun, startStep, takeOver,
  withRunLease, emitPlanEvents, type RunRow,
} from '../runs';
import { assessUpgrade, notFound, upgradeValues, type Blocked, type Warned } from './upgrade-rules';
import { UPGRADE_STEPS, type StepFn } from '../pipeline/definition';
import { runStepsInProcess } from '../pipeline/in-process';
import { next, stop } from '../pipeline/outcome';

export interface UpgradeOptions extends Omit<ApplyOptions, 'runId' | 'onProgress' | 'concurrency'> {
  /** Source whose latest staged roster supplies the details (default: the first configured source). */
  source?: string;
  /** Upgrade exactly these accounts (from --accounts FILE) instead of the ones we infer as legacy. */
  accounts?: string[];
  dryRun?: boolean;
  concurrency?: number;
  /** Called once the plan is known (before any write), e.g. to print what cannot be upgraded. */
  onPlanned?: (plan: UpgradePlan) => void;
  onProgress?: (p: ApplyProgress) => void;
  /** Test seam (crash tests): called after each chunk of outbox rows is written. Never set in production. */
  atPlanChunk?: (written: number) => void | Promise<void>;
}

export interface UpgradePlan {
  runId: string;
  resumed: boolean;
  /** Practices PracticeList returned (0 when resuming a planned run). */
  listed: number;
  candidates: number;
  queued: number;
  /** The first UPGRADE_LIST_CAP accounts that cannot be upgraded, and warnings; `totals` counts all. */
  blocked: Blocked[];
  warnings: Warned[];
  totals: { blocked: number; warnings: number };
  /** Seconds the queued writes take at the configured rate limit. */
  etaSeconds: number;
}

export interface UpgradeReport extends UpgradePlan {
  dryRun: boolean;
  status: string;
  /** Why the command did nothing (a skipped run: which run blocks it). */
  message?: string | undefined;
  succeeded: number;
  /** The first UPGRADE_LIST_CAP failed accounts; `failedTotal` counts all. */
  failed: { accountId: string; code: number | null; message: string }[];
  failedTotal: number;
  apply?: ApplyResult;
}

/** An unfinished upgrade run: resumed by the next `upgrade-legacy` (a halted one after its cause is fixed). */
const RESUMABLE = [...LEASED_STATUSES, 'halted'];

export async function upgradeLegacy(deps: AppDeps, client: UpdoxClient, opts: UpgradeOptions): Promise<UpgradeReport> {
  const { db, config } = deps;
  const source = opts.source ?? config.sources[0]?.name ?? null;
  const dryRun = Boolean(opts.dryRun);

  const owner = attemptId('cli');
  let run = dryRun ? undefined : await db('runs').where({ kind: 'upgrade', source, dry_run: false }).whereIn('status', RESUMABLE)
    .orderBy('created_at', 'desc').first() as RunRow | undefined;
  if (run?.status === 'halted') run = await resumeRun(db, run.id, owner);
  if (run) {
    // An unfinished run whose owner stopped (a killed command) is taken over; a live one is left alone.
    const taken = await takeOver(db, run.id, owner, DEFAULT_LEASE_MS, { previousOwner: ownerIsGone(run.owner) ? run.owner : null });
    if (!taken) {
      const created = await createRun(db, { kind: 'upgrade', partnerId: config.partner.id, source, dryRun, trigger: 'cli' });
      return { ...emptyPlan(created.run.id, false), dryRun, status: 'skipped', succeeded: 0, failed: [], failedTotal: 0, message: created.run.error_message ?? undefined };
    }
    run = taken;
  }
  const resumed = Boolean(run);
  if (!run) {
    const created = await createRun(db, { kind: 'upgrade', partnerId: config.partner.id, source, dryRun, trigger: 'cli', owner });
    if (created.skipped) {
      return { ...emptyPlan(created.run.id, false), dryRun, status: 'skipped', succeeded: 0, failed: [], failedTotal: 0, message: created.run.error_message ?? undefined };
    }
    run = created.run;
  }
  const runId = run.id;
  const first = run;
  return withRunLease(db, runId, owner, () => drive(deps, client, opts, first, { owner, resumed, dryRun, source }));
}

async function drive(
  deps: AppDeps, client: UpdoxClient, opts: UpgradeOptions, run: RunRow,
  o: { owner: string; resumed: boolean; dryRun: boolean; source: string | null },
): Promise<UpgradeReport> {
  const { db, config } = deps;
  const { owner, resumed, dryRun, source } = o;
  const rps = config.updox.requestsPerSecond;
  const runId = run.id;
  let plan: UpgradePlan = emptyPlan(runId, resumed);
  let apply: ApplyResult | undefined;

  // The upgrade's own plan: the outbox from PracticeList (or the plan a resumed run recorded).
  const planStep: StepFn = async () => {
    if (isAppliable(run.status)) {
      const stats = (run.plan_stats ?? {}) as Partial<UpgradePlan>;
      const open = Number((await db('sync_actions').where({ run_id: runId }).whereIn('status', ['pending', 'in_flight']).count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
      plan = { ...emptyPlan(runId, true), ...stats, runId, resumed: true, etaSeconds: Math.ceil(open / rps) };
      opts.onPlanned?.(plan);
      return next(plan);
    }
    await startStep(db, runId, 'plan', owner);
    const planned = await planUpgrade(deps, client, runId, source, opts.accounts, dryRun, opts.atPlanChunk);
    if ('ended' in planned) return stop(planned.ended);
    plan = { ...planned, resumed };
    const current = (await db('runs').where({ id: runId }).first()) as RunRow;
    emitPlanEvents(await recordPlan(asQueryable(db), current, { planStats: { ...plan }, held: false, heldReason: null }));
    opts.onPlanned?.(plan);
    return dryRun ? stop('previewed', plan) : next(plan);
  };
  // The apply every run kind shares (src/sync/apply.ts), through this command's client and options.
  const applyStep: StepFn = async () => {
    apply = await applyRun(deps, client, { ...opts, runId, owner, concurrency: opts.concurrency ?? config.sync.applyConcurrency });
    return next(apply);
  };
  const ended = await runStepsInProcess(deps, runId, UPGRADE_STEPS, {
    owner, log: deps.log.child({ runId, kind: 'upgrade' }), fns: { plan: planStep, apply: applyStep }, rethrow: true,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (dryRun) return { ...plan, dryRun, status: 'previewed', succeeded: 0, failed: [], failedTotal: 0 };
  if (!apply) return { ...plan, dryRun, status: ended.status, succeeded: 0, failed: [], failedTotal: 0 };

  const failedRows = await db('sync_actions').where({ run_id: runId, status: 'failed' }).orderBy('account_id')
    .limit(UPGRADE_LIST_CAP).select('account_id', 'code', 'message');
  const count = async (status: string) => Number((await db('sync_actions').where({ run_id: runId, status }).count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
  const succeeded = await count('succeeded');
  return {
    ...plan, dryRun, status: apply.status, succeeded, failedTotal: await count('failed'), apply,
    failed: failedRows.map((r) => ({ accountId: r.account_id as string, code: (r.code as number | null) ?? null, message: (r.message as string | null) ?? '' })),
  };
}

const emptyPlan = (runId: string, resumed: boolean): UpgradePlan =>
  ({ runId, resumed, listed: 0, candidates: 0, queued: 0, blocked: [], warnings: [], totals: { blocked: 0, warnings: 0 }, etaSeconds: 0 });

type Planned = Omit<UpgradePlan, 'resumed'>;

/** Blocked accounts and warnings kept in the plan (and its plan_stats); `totals` counts them all. */
export const UPGRADE_LIST_CAP = 1000;

/** Snapshot rows read per page of the plan. */
const PAGE = 1000;

interface SnapRow { account_id: string; raw: UpdoxPractice }

/**
 * Lists, selects, builds and (unless dry) writes the outbox rows. Idempotent per run. PracticeList
 * is streamed into this run's snapshot (snapshot.ts: each entry read on its own, a repeat with
 * other content made unreadable), then the candidates are read from it a page at a time with
 * what we know of them and their roster rows, so memory does not grow with the partner.
 */
async function planUpgrade(
  deps: AppDeps, client: UpdoxClient, runId: string, source: string | null, accounts: string[] | undefined, dryRun: boolean,
  atChunk?: (written: number) => void | Promise<void>,
): Promise<Planned | { ended: string }> {
  const { db, config } = deps;
  let listed: number;
  try {
    listed = (await snapshotRemote(deps, client, runId)).practices;
  } catch (err) {
    // snapshotRemote has failed (or halted) the run with the list's reason.
    if (err instanceof PermanentError) return { ended: err.halt ? 'halted' : 'failed' };
    throw err;
  }
  const blocked: Blocked[] = [];
  const warnings: Warned[] = [];
  const totals = { blocked: 0, warnings: 0 };
  const block = (b: Blocked) => { totals.blocked++; if (blocked.length < UPGRADE_LIST_CAP) blocked.push(b); };
  let candidates = 0;
  let queued = 0;
  const readOnly = config.updox.readOnlyPracticeFields;
  const rosterRun = await latestRosterRun(deps, source);

  const planPage = async (page: SnapRow[]) => {
    const ids = page.map((r) => r.account_id);
    const ours = new Map((await db('practices').whereIn('account_id', ids).select('*') as Record<string, unknown>[]).map((r) => [r.account_id as string, r]));
    const roster = await rosterRowsOf(deps, rosterRun, ids);
    const rows: Record<string, unknown>[] = [];
    for (const { account_id: accountId, raw } of page) {
      const o = ours.get(accountId);
      const r = roster.get(accountId);
      const values = upgradeValues(fromWire(raw), o ? valuesFromRow(o) : null, r ? valuesFromRow(r) : null);
      const verdict = assessUpgrade(accountId, values);
      if (verdict.blocked) { block(verdict.blocked); continue; }
      for (const w of verdict.warnings) { totals.warnings++; if (warnings.length < UPGRADE_LIST_CAP) warnings.push(w); }
      // Every field we do not model goes back as Updox has it (what we last saved stands in for a
      // key the read lacks); Updox's own read-only fields stay out.
      const extras = { ...extraFields(o?.extra_fields as Record<string, unknown> | null, readOnly), ...extraFields(raw, readOnly) };
      rows.push(actionRow(runId, accountId, values, extras, verdict.warnings, {
        source: (o?.source as string | null) ?? (r ? source : null),
        externalId: (r?.external_id as string | undefined) ?? (o?.external_id as string | null) ?? null,
        managerEmail: (r?.manager_email as string | null | undefined) ?? (o?.manager_email as string | null) ?? null,
      }));
    }
    if (!dryRun && rows.length) {
      await db('sync_actions').insert(rows).onConflict(['run_id', 'account_id']).ignore();
      await atChunk?.(queued + rows.length);
    }
    queued += rows.length;
  };

  if (accounts) {
    // The operator's accounts, as listed (an account listed but unreadable is NOT_FOUND).
    const wanted = [...new Set(accounts.map((a) => a.trim()).filter(Boolean))].sort();
    for (let i = 0; i < wanted.length; i += PAGE) {
      const chunk = wanted.slice(i, i + PAGE);
      const page = await db('remote_snapshots').where({ run_id: runId }).whereNull('unreadable').whereIn('account_id', chunk)
        .orderByRaw('account_id COLLATE "C"').select('account_id', 'raw') as SnapRow[];
      const found = new Set(page.map((r) => r.account_id));
      for (const a of chunk) if (!found.has(a)) block(notFound(a));
      candidates += chunk.length;
      await planPage(page);
    }
  } else {
    // Every listed account we know as legacy (or do not know), of this source or of none.
    let after = '';
    for (;;) {
      const page = (await db.raw(`SELECT s.account_id, s.raw FROM remote_snapshots s LEFT JOIN practices p ON p.account_id = s.account_id
        WHERE s.run_id = ? AND s.unreadable IS NULL AND s.account_id COLLATE "C" > ?
          AND (p.account_id IS NULL OR ((p.api_version IS NULL OR p.api_version = 'legacy') AND (?::text IS NULL OR p.source IS NULL OR p.source = ?)))
        ORDER BY s.account_id COLLATE "C" LIMIT ${PAGE}`, [runId, after, source, source])).rows as SnapRow[];
      if (!page.length) break;
      candidates += page.length;
      await planPage(page);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.account_id;
    }
  }
  return { runId, listed, candidates, queued, blocked, warnings, totals, etaSeconds: Math.ceil(queued / config.updox.requestsPerSecond) };
}

function actionRow(
  runId: string, accountId: string, values: PracticeValues, extras: Record<string, unknown>, warnings: Warned[],
  who: { source: string | null; externalId: string | null; managerEmail: string | null },
): Record<string, unknown> {
  const payload = toPayload(accountId, values, extras);
  return {
    run_id: runId, account_id: accountId, external_id: who.externalId, op: 'upgrade', status: 'pending',
    payload: JSON.stringify(payload), payload_hash: payloadHash(payload),
    flags: JSON.stringify(warnings.map((w) => w.code)), source: who.source, manager_email: who.managerEmail,
  };
}

/** The source's latest run with staged roster rows (its details fill the upgrade), or null. */
async function latestRosterRun(deps: AppDeps, source: string | null): Promise<string | null> {
  if (!source) return null;
  const latest = await deps.db('runs as r').where({ 'r.source': source })
    .whereExists((q) => q.select(deps.db.raw('1')).from('roster_rows as x').whereRaw('x.run_id = r.id'))
    .orderBy('r.created_at', 'desc').first('r.id');
  return (latest?.id as string | undefined) ?? null;
}

/** That run's roster rows for these accounts (one page of the plan), by account id. */
async function rosterRowsOf(deps: AppDeps, runId: string | null, accountIds: string[]): Promise<Map<string, Record<string, unknown>>> {
  if (!runId || !accountIds.length) return new Map();
  const rows = await deps.db('roster_rows').where({ run_id: runId }).whereIn('account_id', accountIds).select('*') as Record<string, unknown>[];
  return new Map(rows.map((r) => [r.account_id as string, r]));
}
