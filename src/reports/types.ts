/**
 * The report model: plain data built by model.ts from queries and read by the pure renderers.
 * Dates are ISO strings so a model can be serialised (--json) and rendered without a clock.
 *
 * Two words are kept apart everywhere (HTML, text, CSV, subject): a **practice needing action** is
 * one practice, counted once; an **issue** is one problem of it (a failed save, a rejected number,
 * incomplete details …). A practice has one or more issues and one action: the thing to do first.
 *
 * What only the admins see lives in `admin.sections`: generic titled tables built by the loaders
 * listed in admin-sections.ts, which is the one place to add an operational section.
 */
import type { PeriodKind } from './period';

export type ReportKind = 'manager' | 'admin';

/** Why a practice is on the action list, most urgent first (the order of this list). */
export const ISSUE_REASONS = [
  'SAVE_FAILED', // Updox refused a save
  'SAVE_NEEDS_REVIEW', // a save whose reply was lost and that Updox would not confirm (sync_actions.evidence)
  'DETAILS_INSUFFICIENT', // Updox could not verify the business details (4039 from a send or save)
  'NUMBER_REJECTED',
  'DETAILS_INCOMPLETE', // the business-details audit found errors
  'NUMBER_OVERDUE', // pending longer than numbers.pendingBusinessDays
] as const;
export type IssueReason = (typeof ISSUE_REASONS)[number];

/** What a manager reads: plain words, no codes. */
export const ISSUE_LABELS: Record<IssueReason, string> = {
  SAVE_FAILED: 'Updox refused the update',
  SAVE_NEEDS_REVIEW: 'Update not confirmed by Updox',
  DETAILS_INSUFFICIENT: 'Updox could not verify the details',
  NUMBER_REJECTED: 'Number rejected',
  DETAILS_INCOMPLETE: 'Business details incomplete',
  NUMBER_OVERDUE: 'Number verification overdue',
};

export interface Issue {
  reason: IssueReason;
  /** The number concerned, for number reasons. */
  number: string | null;
  /** What is wrong and what to do, in plain words. */
  detail: string;
  since: string | null;
  /** The vendor's code (save failures, 4039): admin report and admin CSV only. */
  vendorCode: number | null;
}

/** Where a practice is fixed: a Partner Portal link (reports.portalUrl) or whom to ask. */
export type FixAt = { url: string } | { ask: string };

export interface PracticeToFix {
  accountId: string;
  practiceName: string | null;
  /** Manager email, or null when unassigned (admin report). */
  manager: string | null;
  /** The one thing to do first (the most urgent issue's action). */
  action: string;
  /** Every issue of this practice, most urgent first (at most ISSUES_SHOWN in the body). */
  issues: Issue[];
  issueTotal: number;
  fixAt: FixAt;
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

/** One operational section of the admin report: a titled table and notes, rendered generically. */
export interface ReportSection {
  id: string;
  title: string;
  /** Lines shown above the table (or alone). */
  notes: string[];
  /** 'alert' for something someone must do (a held run), else 'info'. */
  tone: 'info' | 'alert';
  table: { columns: string[]; rows: string[][]; total: number } | null;
  /** Shown when the table has no rows. */
  empty: string;
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
  /** The previous report could not be delivered (a notice; the error text only in the admin report). */
  previousFailure: { period: string; error: string } | null;
  totals: {
    practices: number;
    active: number;
    /** Active practices with at least one verified number. */
    smsReady: number;
    /** Practices needing action (each counted once). */
    practicesNeedingAction: number;
    /** Issues across those practices. */
    issues: number;
    numbers: Record<string, number>;
    audit: Record<string, number>;
  };
  practices: Capped<PracticeToFix>;
  issueCounts: Partial<Record<IssueReason, number>>;
  /** Problems with the partner's own business details (config), shared by every practice. */
  partnerIssues: string[];
  changes: { verified: Capped<ChangeItem>; rejected: Capped<ChangeItem>; complete: Capped<ChangeItem> };
  chart: ChartSeries;
  /** Whom a manager asks when there is no portal link (reports.contact). */
  contact: string;
  /** Admin report only: the operational sections (runs, holds, managers, legacy, …). */
  admin: { sections: ReportSection[] } | null;
  /** How many practices the email body lists; the CSV has every issue. */
  listCap: number;
}
