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
import { readPracticeEntry } from '../updox/list-entries';
import type { UpdoxClient, UpdoxPractice } from '../updox/types';
import { applyRun, type ApplyOptions, type ApplyProgress, type ApplyResult } from './apply';
import { extraFields, fromWire, toPayload } from './payload';
import {
  asQueryable, attemptId, isAppliable, DEFAULT_LEASE_MS, createRun, failRun, haltRun, LEASED_STATUSES, ownerIsGone, recordPlan, resumeRun, startStep, takeOver,
  withRunLease, emitPlanEvents, type RunRow,
} from '../runs';
import { assessUpgrade, isLegacy, notFound, upgradeValues, type Blocked, type Warned } from './upgrade-rules';
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
  blocked: Blocked[];
  warnings: Warned[];
  /** Seconds the queued writes take at the configured rate limit. */
  etaSeconds: number;
}

export interface UpgradeReport extends UpgradePlan {
  dryRun: boolean;
  status: string;
  /** Why the command did nothing (a skipped run: which run blocks it). */
  message?: string | undefined;
  succeeded: number;
  failed: { accountId: string; code: number | null; message: string }[];
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
      return { ...emptyPlan(created.run.id, false), dryRun, status: 'skipped', succeeded: 0, failed: [], message: created.run.error_message ?? undefined };
    }
    run = taken;
  }
  const resumed = Boolean(run);
  if (!run) {
    const created = await createRun(db, { kind: 'upgrade', partnerId: config.partner.id, source, dryRun, trigger: 'cli', owner });
    if (created.skipped) {
      return { ...emptyPlan(created.run.id, false), dryRun, status: 'skipped', succeeded: 0, failed: [], message: created.run.error_message ?? undefined };
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
    if ('error' in planned) {
      if (planned.halt) await haltRun(db, runId, planned.error, 'UPGRADE_LIST_FAILED');
      else await failRun(db, runId, { code: 'UPGRADE_LIST_FAILED', message: planned.error });
      return stop(planned.halt ? 'halted' : 'failed');
    }
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
  if (dryRun) return { ...plan, dryRun, status: 'previewed', succeeded: 0, failed: [] };
  if (!apply) return { ...plan, dryRun, status: ended.status, succeeded: 0, failed: [] };

  const failedRows = await db('sync_actions').where({ run_id: runId, status: 'failed' }).orderBy('account_id')
    .select('account_id', 'code', 'message');
  const succeeded = Number((await db('sync_actions').where({ run_id: runId, status: 'succeeded' }).count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
  return {
    ...plan, dryRun, status: apply.status, succeeded, apply,
    failed: failedRows.map((r) => ({ accountId: r.account_id as string, code: (r.code as number | null) ?? null, message: (r.message as string | null) ?? '' })),
  };
}

const emptyPlan = (runId: string, resumed: boolean): UpgradePlan =>
  ({ runId, resumed, listed: 0, candidates: 0, queued: 0, blocked: [], warnings: [], etaSeconds: 0 });

type Planned = Omit<UpgradePlan, 'resumed'>;

/** Lists, selects, builds and (unless dry) writes the outbox rows. Idempotent per run. */
async function planUpgrade(
  deps: AppDeps, client: UpdoxClient, runId: string, source: string | null, accounts: string[] | undefined, dryRun: boolean,
  atChunk?: (written: number) => void | Promise<void>,
): Promise<Planned | { error: string; halt: boolean }> {
  const { db, config } = deps;
  const list = await client.practiceList();
  if (list.outcome !== 'ok' || !list.body) {
    return { error: `PracticeList failed: ${list.code ?? ''} ${list.message}`.trim(), halt: list.outcome === 'halt' };
  }
  // Malformed or repeated entries are left out (an account among them cannot be upgraded this time:
  // listed but unreadable reports as NOT_FOUND when asked for explicitly).
  const remote = new Map<string, UpdoxPractice>();
  const repeated = new Set<string>();
  for (const item of list.body.practiceList) {
    const r = readPracticeEntry(item);
    if (!r.ok) continue;
    if (remote.has(r.id)) repeated.add(r.id);
    else remote.set(r.id, r.entry);
  }
  for (const id of repeated) remote.delete(id);
  const ours = new Map<string, Record<string, unknown>>(
    (await db('practices').select('*') as Record<string, unknown>[]).map((r) => [r.account_id as string, r]),
  );

  const blocked: Blocked[] = [];
  let candidates: string[];
  if (accounts) {
    const wanted = [...new Set(accounts.map((a) => a.trim()).filter(Boolean))];
    for (const a of wanted) if (!remote.has(a)) blocked.push(notFound(a));
    candidates = wanted.filter((a) => remote.has(a));
  } else {
    candidates = [...remote.keys()].filter((a) => {
      const o = ours.get(a) as { api_version: string | null; source: string | null } | undefined;
      return isLegacy(o) && (!o || !source || o.source === null || o.source === source);
    });
  }
  const roster = await latestRoster(deps, source, candidates);

  const warnings: Warned[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const accountId of candidates.sort()) {
    const o = ours.get(accountId);
    const r = roster.get(accountId);
    const values = upgradeValues(fromWire(remote.get(accountId)!), o ? valuesFromRow(o) : null, r ? valuesFromRow(r) : null);
    const verdict = assessUpgrade(accountId, values);
    if (verdict.blocked) { blocked.push(verdict.blocked); continue; }
    warnings.push(...verdict.warnings);
    // Every field we do not model goes back as Updox has it (what we last saved stands in for a
    // key the read lacks); Updox's own read-only fields stay out.
    const readOnly = config.updox.readOnlyPracticeFields;
    const extras = { ...extraFields(o?.extra_fields as Record<string, unknown> | null, readOnly), ...extraFields(remote.get(accountId), readOnly) };
    rows.push(actionRow(runId, accountId, values, extras, verdict.warnings, {
      source: (o?.source as string | null) ?? (r ? source : null),
      externalId: (r?.external_id as string | undefined) ?? (o?.external_id as string | null) ?? null,
      managerEmail: (r?.manager_email as string | null | undefined) ?? (o?.manager_email as string | null) ?? null,
    }));
  }
  if (!dryRun) {
    for (let i = 0; i < rows.length; i += 1000) {
      await db('sync_actions').insert(rows.slice(i, i + 1000)).onConflict(['run_id', 'account_id']).ignore();
      await atChunk?.(Math.min(rows.length, i + 1000));
    }
  }
  return {
    runId, listed: remote.size, candidates: candidates.length + blocked.filter((b) => b.reason === 'NOT_FOUND').length,
    queued: rows.length, blocked, warnings, etaSeconds: Math.ceil(rows.length / config.updox.requestsPerSecond),
  };
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

/** The latest staged roster rows of the source for these accounts, by account id. */
async function latestRoster(deps: AppDeps, source: string | null, accountIds: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!source || !accountIds.length) return out;
  const latest = await deps.db('runs as r').where({ 'r.source': source })
    .whereExists((q) => q.select(deps.db.raw('1')).from('roster_rows as x').whereRaw('x.run_id = r.id'))
    .orderBy('r.created_at', 'desc').first('r.id');
  if (!latest) return out;
  for (let i = 0; i < accountIds.length; i += 5000) {
    const rows = await deps.db('roster_rows').where({ run_id: latest.id }).whereIn('account_id', accountIds.slice(i, i + 5000)).select('*');
    for (const r of rows as Record<string, unknown>[]) out.set(r.account_id as string, r);
  }
  return out;
}
