/**
 * The report model: plain data built by model.ts from queries and read by the pure renderers.
 * Dates are ISO strings so a model can be serialised (--json) and rendered without a clock.
 */
import type { PeriodKind } from './period';

export type ReportKind = 'manager' | 'admin';

/** Why a practice is on the action list, most urgent first (the order of this list). */
export const ACTION_REASONS = [
  'SAVE_FAILED', // the vendor refused a save; its code and message are shown
  'DETAILS_INSUFFICIENT', // a 4039 from a send or save
  'NUMBER_REJECTED',
  'DETAILS_INCOMPLETE', // the business-details audit found errors
  'NUMBER_OVERDUE', // pending longer than numbers.pendingBusinessDays
] as const;
export type ActionReason = (typeof ACTION_REASONS)[number];

export const ACTION_LABELS: Record<ActionReason, string> = {
  SAVE_FAILED: 'Save failed',
  DETAILS_INSUFFICIENT: 'Updox 4039: details insufficient',
  NUMBER_REJECTED: 'Number rejected',
  DETAILS_INCOMPLETE: 'Business details incomplete',
  NUMBER_OVERDUE: 'Number verification overdue',
};

export interface ActionItem {
  accountId: string;
  practiceName: string | null;
  /** Manager email, or null when unassigned (admin report). */
  manager: string | null;
  reason: ActionReason;
  /** The number concerned, for number reasons. */
  number: string | null;
  /** Vendor code (save failures, 4039). */
  code: number | null;
  /** What to fix: missing fields, the vendor's message, how long pending. */
  detail: string;
  since: string | null;
}

export type ChangeKind = 'verified' | 'rejected' | 'complete';

export interface ChangeItem {
  kind: ChangeKind;
  accountId: string;
  practiceName: string | null;
  manager: string | null;
  number: string | null;
  at: string;
}

export interface RunLine {
  id: string;
  kind: string;
  source: string | null;
  status: string;
  dryRun: boolean;
  createdAt: string;
  finishedAt: string | null;
  /** e.g. "12 created, 40 updated, 3 failed" from the run's stats. */
  counts: string;
  heldReason: string | null;
  haltReason: string | null;
  error: string | null;
}

export interface Capped<T> {
  items: T[];
  total: number;
}

export interface ChartSeries {
  /** Day labels 'YYYY-MM-DD', oldest first. */
  days: string[];
  /** Number status → count per day (same length as days). */
  series: Record<string, number[]>;
}

export interface ManagerLine {
  email: string | null;
  name: string;
  practices: number;
  needingAction: number;
}

export interface ReportModel {
  kind: ReportKind;
  recipient: { email: string; name: string };
  partner: { id: string; name: string };
  period: { kind: PeriodKind; label: string; start: string; end: string; timeZone: string };
  generatedAt: string;
  /** When the previous report to this recipient went out (changes are counted from here). */
  since: string;
  previousReport: { period: string; at: string } | null;
  /** The previous report could not be delivered (shown as a notice). */
  previousFailure: { period: string; error: string } | null;
  totals: {
    practices: number;
    active: number;
    /** Active practices with at least one verified number. */
    smsReady: number;
    needingAction: number;
    numbers: Record<string, number>;
    audit: Record<string, number>;
  };
  actions: Capped<ActionItem>;
  actionCounts: Partial<Record<ActionReason, number>>;
  changes: { verified: Capped<ChangeItem>; rejected: Capped<ChangeItem>; complete: Capped<ChangeItem> };
  runs: Capped<RunLine>;
  heldRuns: RunLine[];
  legacy: { legacy: number; current: number; unknown: number; upgradedSince: number };
  chart: ChartSeries;
  /** Admin report only: one line per manager, plus the unassigned practices. */
  managers: ManagerLine[] | null;
  /** How many list rows the email body shows per list; the CSV has all rows. */
  listCap: number;
}
