/** The `runs` row (db shape, snake_case) and its typed stats. */
import type { RunKind, RunStatus, RunStep } from './status';

/** What an import step leaves on its run (src/roster/import.ts). */
export interface ImportStats { read: number; valid: number; quarantined: number; byReason?: Record<string, number>; warnings?: Record<string, number> }

/** What plan leaves on its run: the snapshot first (src/sync/snapshot.ts), then the counts (src/sync/plan.ts). */
export interface PlanStats {
  snapshot?: unknown;
  counts?: object;
  durationMs?: number;
  guardrail?: object;
  [key: string]: unknown;
}

/** The outbox by status when a run's apply ended, with the writes and reads it cost. */
export interface ApplyStats { apiWrites: number; reconcileReads: number; [status: string]: number }

export interface RunRow {
  id: string;
  kind: RunKind;
  partner_id: string;
  source: string | null;
  status: RunStatus;
  dry_run: boolean;
  trigger: string;
  input: string | null;
  managed_fields: string[] | null;
  import_stats: ImportStats | null;
  plan_stats: PlanStats | null;
  apply_stats: (ApplyStats & Record<string, unknown>) | null;
  held_reason: string | null;
  halt_reason: string | null;
  error_code: string | null;
  error_message: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** The attempt working on the run (a step job, a CLI process, a supervisor takeover). */
  owner: string | null;
  lease_expires_at: Date | null;
  step: RunStep | null;
  /** The generation of the run's jobs: supervisor takeovers plus operator releases. */
  takeovers: number;
  /** Operator releases (`approve`, `resume`) among `takeovers`. */
  releases: number;
  /** The night (YYYY-MM-DD, partner time zone) of a flow-driven run; the partner steps run once per night. */
  night: string | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  superseded_by: string | null;
}

export interface NewRun {
  kind: RunKind;
  partnerId: string;
  source: string | null;
  dryRun: boolean;
  trigger: string;
  input?: string;
  night?: string;
  /** Starts the run leased to this owner (the process that drives it). */
  owner?: string;
  leaseMs?: number;
}
