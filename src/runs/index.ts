/**
 * Runs: one row per sync (or upgrade, import, partner) run, the truth about its state. This module
 * owns the row: its type, its status groups (status.ts), and every transition (transitions.ts,
 * plan-apply.ts, operator.ts, takeover.ts). Nothing else writes `runs.status` or spells a list of
 * statuses; test/unit/runs/owner.test.ts checks it.
 *
 * For metrics and alerts: `runsByStatus`, `lastSuccessPerSource`, and `onRunEvent` (events.ts),
 * called after every transition that committed, e.g. `failed`, `halted`, `held`.
 */
export * from './status';
export * from './row';
export * from './events';
export * from './queries';
export * from './transitions';
export * from './plan-apply';
export * from './operator';
export * from './takeover';
export * from './takeover-rules';
export { asQueryable, type Db, type Queryable } from './db';
export * from './lease';
