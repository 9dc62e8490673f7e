/**
 * A run's statuses and the groups every other file uses (never a list of its own: the unit test
 * test/unit/runs/owner.test.ts fails on one). Pure. The state diagram is in docs/runs.md.
 *
 *   queued → importing → planning → planned → applying → succeeded | completed_with_errors
 *                                  ↘ held (guardrail) → planned (approve)
 *   applying → halted (credentials, activation) → applying (resume)
 *   dry run: … planning → previewed
 *   any unfinished → failed | cancelled; planned | held | halted → superseded (a newer plan)
 *   a second run while one holds the source lock → skipped
 */

export const RUN_STATUSES = [
  'queued', 'importing', 'planning', 'planned', 'held', 'applying', 'halted',
  'succeeded', 'completed_with_errors', 'failed', 'skipped', 'cancelled', 'superseded', 'previewed',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * The source lock: at most one non-dry run per (kind, source) in these statuses. The migration's
 * partial unique index `runs_one_active_per_source` spells the same list (checked by a test).
 */
export const LOCKING_STATUSES = ['queued', 'importing', 'planning', 'applying'] as const satisfies readonly RunStatus[];

/** Statuses in which a run has an owner and a lease (renewed while it works; taken over when it expires). */
export const LEASED_STATUSES = ['queued', 'importing', 'planning', 'planned', 'applying'] as const satisfies readonly RunStatus[];

/** Waiting for a person (approve, resume, cancel) or for a newer run to supersede it. No lease. */
export const PAUSED_STATUSES = ['held', 'halted'] as const satisfies readonly RunStatus[];

/** Nothing more happens to a run in these statuses. */
export const FINAL_STATUSES = [
  'succeeded', 'completed_with_errors', 'failed', 'skipped', 'cancelled', 'superseded', 'previewed',
] as const satisfies readonly RunStatus[];

/** Statuses the planner accepts (it re-plans a run taken over in `planning`, or a held one). */
export const PLANNABLE_STATUSES = ['queued', 'importing', 'planning', 'planned', 'held'] as const satisfies readonly RunStatus[];

/** An older run's plan in one of these statuses is stale once a newer run of its source has planned. */
export const SUPERSEDABLE_STATUSES = ['planned', 'held', 'halted'] as const satisfies readonly RunStatus[];

/** A run in one of these statuses has a plan computed: it supersedes the older plans of its source. */
export const PLANNED_STATUSES = ['planned', 'held', 'applying', 'halted', 'succeeded', 'completed_with_errors'] as const satisfies readonly RunStatus[];

/** Apply is allowed to start from these statuses (`resume` restarts a halted run). */
export const APPLIABLE_STATUSES = ['planned', 'applying'] as const satisfies readonly RunStatus[];

/** Ended well: counts as the source's last success. */
export const SUCCESS_STATUSES = ['succeeded', 'completed_with_errors'] as const satisfies readonly RunStatus[];

/** A person should look (reports colour these). */
export const ATTENTION_STATUSES = ['failed', 'halted', 'held', 'completed_with_errors', 'cancelled'] as const satisfies readonly RunStatus[];

const has = (list: readonly string[]) => (s: string | null | undefined): boolean => s != null && list.includes(s);
export const isFinal = has(FINAL_STATUSES);
export const isLeased = has(LEASED_STATUSES);
export const isPaused = has(PAUSED_STATUSES);
export const isLocking = has(LOCKING_STATUSES);
export const isPlannable = has(PLANNABLE_STATUSES);
export const isAppliable = has(APPLIABLE_STATUSES);
export const isSuccess = has(SUCCESS_STATUSES);
export const needsAttention = has(ATTENTION_STATUSES);

/** Run kinds: a source's sync, the legacy upgrade, a CLI import, and the partner-wide steps of a night. */
export const RUN_KINDS = ['sync', 'upgrade', 'import', 'partner', 'numbers', 'audit', 'report'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** The steps a run goes through (src/pipeline/definition.ts orders them). */
export const SOURCE_STEPS = ['import', 'plan', 'apply'] as const;
export const PARTNER_STEPS = ['audit', 'numbers', 'report'] as const;
export type SourceStep = (typeof SOURCE_STEPS)[number];
export type PartnerStep = (typeof PARTNER_STEPS)[number];
export type RunStep = SourceStep | PartnerStep;

/** The SQL list of a group, e.g. `('queued', 'importing')` (for the few raw statements that need one). */
export const sqlList = (list: readonly string[]): string => `(${list.map((s) => `'${s}'`).join(', ')})`;
