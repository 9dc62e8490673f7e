/**
 * `sendReports`: the reports step. For each recipient (every configured manager, and the admins'
 * partner-wide report): claim the (recipient, kind, period) delivery row, build the model, compose
 * the message, send it over SMTP (or write it as .eml), record the outcome. A delivery already sent,
 * in flight elsewhere or failed for this period is skipped, so re-running the step sends nothing new.
 * `send: false` is a preview: nothing is claimed or recorded; with `outDir` the .eml files are
 * written there.
 */
import { randomUUID } from 'node:crypto';
import type { AppDeps } from '../app';
import { BadInputError, coerceError } from '../errors';
import { MINUTE } from '../time';
import { composeReport, reportFileName, reportMessageId } from './compose';
import { claimDelivery, markDelivered, markFailed, previousDeliveries, releaseClaim, startAttempt, type DeliveryKey } from './deliveries';
import { createReportTransport, DEFAULT_RETRY, describeSendError, redactSecrets, withRetry, type ReportTransport, type RetryPolicy } from './deliver';
import { businessDaysElapsed, calendarFor, type BusinessCalendar } from '../sms/business-days';
import { buildReport } from './model';
import { currentPeriod, parsePeriod, previousPeriod, type Period } from './period';
import type { ReportKind, ReportModel } from './types';

export interface SendReportsOptions {
  /** 'YYYY-MM-DD' or 'YYYY-Www'; default: the current period (config.reports.period) in the report time zone. */
  period?: string;
  /** Only this recipient (a manager's or an admin's email). */
  manager?: string;
  /** Write .eml files here (instead of SMTP). */
  outDir?: string;
  /** Default true: claim, deliver and record. False: preview only. */
  send?: boolean;
  now?: Date;
  workerId?: string;
  retry?: Partial<RetryPolicy>;
  leaseMs?: number;
  listCap?: number;
  /** Keep each built model in the result (CLI --json). */
  includeModels?: boolean;
}

export type RecipientStatus = 'sent' | 'written' | 'skipped' | 'failed' | 'preview';

export interface RecipientResult {
  recipient: string;
  kind: ReportKind;
  status: RecipientStatus;
  /** Why it was skipped: the delivery row's status (sent, written, sending, failed). */
  reason?: string;
  messageId?: string;
  path?: string | null;
  error?: string;
  attempts?: number;
  /** Practices needing action and their issues in this report. */
  practices?: number;
  issues?: number;
  model?: ReportModel;
}

export interface SendReportsResult {
  period: string;
  transport: 'smtp' | 'eml' | 'none';
  sent: number;
  written: number;
  skipped: number;
  failed: number;
  previewed: number;
  recipients: RecipientResult[];
}

/** Whom a manager asks about a practice: reports.contact, else the first admin, else the partner's contact. */
export function reportContact(config: AppDeps['config']): string {
  if (config.reports.contact) return config.reports.contact;
  if (config.admins[0]) return config.admins[0];
  const d = config.partner.businessDetails;
  return [`${d.contactFirstName} ${d.contactLastName}`.trim(), d.contactEmail ? `(${d.contactEmail})` : ''].filter(Boolean).join(' ') || 'your Updox administrator';
}

/** The time zone for period boundaries: `reports.timeZone` when the config has it, else the first source's, else UTC. */
export function reportTimeZone(config: AppDeps['config']): string {
  return config.reports.timeZone ?? config.sources[0]?.timezone ?? 'UTC';
}

interface Recipient { email: string; name: string; kind: ReportKind }

function recipientsOf(config: AppDeps['config'], only?: string): Recipient[] {
  const all: Recipient[] = [
    ...config.managers.map((m) => ({ email: m.email.toLowerCase(), name: m.name, kind: 'manager' as const })),
    ...config.admins.map((a) => ({ email: a.toLowerCase(), name: 'Partner operations', kind: 'admin' as const })),
  ];
  if (!only) return all;
  const chosen = all.filter((r) => r.email === only.trim().toLowerCase());
  if (!chosen.length) {
    throw new BadInputError('REPORT_UNKNOWN_RECIPIENT',
      `"${only}" is neither a configured manager nor an admin (known: ${all.map((r) => r.email).join(', ') || 'none'})`);
  }
  return chosen;
}

export async function sendReports(deps: AppDeps, opts: SendReportsOptions = {}): Promise<SendReportsResult> {
  const now = opts.now ?? deps.clock.now();
  const tz = reportTimeZone(deps.config);
  const period = opts.period ? parsePeriod(opts.period, tz) : currentPeriod(deps.config.reports.period, now, tz);
  const recipients = recipientsOf(deps.config, opts.manager);
  const send = opts.send ?? true;
  const smtpUrl = deps.config.smtp.url;
  const log = deps.log.child({ step: 'report', period: period.label });
  const transport: ReportTransport | null = send || opts.outDir
    ? createReportTransport(smtpUrl, opts.outDir ?? deps.config.reports.outDir, Boolean(opts.outDir) || !send)
    : null;
  const result: SendReportsResult = {
    period: period.label, transport: transport?.kind ?? 'none', sent: 0, written: 0, skipped: 0, failed: 0, previewed: 0, recipients: [],
  };
  const ctx: Ctx = { deps, opts, now, period, transport, calendar: calendarFor(deps.config), smtpUrl, workerId: opts.workerId ?? `${process.pid}-${randomUUID().slice(0, 8)}`, log };
  try {
    for (const r of recipients) {
      const res = send ? await deliverOne(ctx, r) : await previewOne(ctx, r);
      if (res.status === 'preview') result.previewed++;
      else result[res.status]++;
      result.recipients.push(res);
    }
  } finally {
    transport?.close();
  }
  log.info({ sent: result.sent, written: result.written, skipped: result.skipped, failed: result.failed, transport: result.transport }, 'reports finished');
  return result;
}

interface Ctx {
  deps: AppDeps; opts: SendReportsOptions; now: Date; period: Period; transport: ReportTransport | null; calendar: BusinessCalendar;
  smtpUrl: string | undefined; workerId: string; log: AppDeps['log'];
}

async function build(ctx: Ctx, r: Recipient) {
  const { deps, period } = ctx;
  const key: DeliveryKey = { recipient: r.email, kind: r.kind, period: period.label };
  const prev = await previousDeliveries(deps.db, key);
  const since = prev.sent?.sent_at ?? previousPeriod(period).start;
  return buildReport(deps.db, {
    kind: r.kind, recipient: { email: r.email, name: r.name }, partner: { id: deps.config.partner.id, name: deps.config.partner.name },
    managers: deps.config.managers, period, since, now: ctx.now,
    contact: reportContact(deps.config), businessDaysBetween: (from, to) => businessDaysElapsed(from, to, ctx.calendar),
    ...(deps.config.reports.portalUrl ? { portalUrl: deps.config.reports.portalUrl } : {}),
    previousReport: prev.sent?.sent_at ? { period: prev.sent.period, at: prev.sent.sent_at.toISOString() } : null,
    previousFailure: prev.failed ? { period: prev.failed.period, error: prev.failed.error ?? 'unknown error' } : null,
    ...(ctx.opts.listCap ? { listCap: ctx.opts.listCap } : {}),
  });
}

async function previewOne(ctx: Ctx, r: Recipient): Promise<RecipientResult> {
  const built = await build(ctx, r);
  try {
    const messageId = reportMessageId(ctx.deps.config.partner.id, r.email, r.kind, ctx.period.label);
    const out: RecipientResult = { recipient: r.email, kind: r.kind, status: 'preview', messageId, practices: built.model.totals.practicesNeedingAction, issues: built.model.totals.issues };
    if (ctx.transport) {
      const d = await ctx.transport.send(composeReport(built, { from: ctx.deps.config.smtp.from, messageId, date: ctx.now }), reportFileName(r.email, r.kind, ctx.period.label));
      out.path = d.path;
    }
    if (ctx.opts.includeModels) out.model = built.model;
    return out;
  } finally {
    await built.dispose();
  }
}

async function deliverOne(ctx: Ctx, r: Recipient): Promise<RecipientResult> {
  const { deps, period, workerId } = ctx;
  const transport = ctx.transport!;
  const leaseMs = ctx.opts.leaseMs ?? 10 * MINUTE;
  const messageId = reportMessageId(deps.config.partner.id, r.email, r.kind, period.label);
  const key: DeliveryKey = { recipient: r.email, kind: r.kind, period: period.label };
  const base = { recipient: r.email, kind: r.kind, messageId };
  const claim = await claimDelivery(deps.db, key, { now: deps.clock.now(), leaseMs, workerId, messageId });
  if (!claim.claimed) return { ...base, status: 'skipped', reason: claim.row.status, ...(claim.row.path ? { path: claim.row.path } : {}) };
  if (claim.takenOver) {
    // The previous owner's lease expired mid-send. If its SMTP transaction had completed, this is the
    // one duplicate we cannot rule out; it carries the same Message-ID (docs/reports.md).
    deps.log.warn({ recipient: r.email, kind: r.kind, period: period.label, messageId }, 'report delivery lease expired; sending again');
  }
  const id = claim.row.id;
  let built;
  try {
    built = await build(ctx, r);
  } catch (err) {
    const message = redactSecrets(coerceError(err).message, ctx.smtpUrl);
    await releaseClaim(deps.db, id, workerId, `report could not be built: ${message}`, deps.clock.now());
    ctx.log.error({ recipient: r.email, kind: r.kind, err: message }, 'report could not be built');
    return { ...base, status: 'failed', error: message };
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...ctx.opts.retry };
  // Composed per attempt: its attachments are streams from the built files, read once each.
  const res = await withRetry(policy,
    () => transport.send(composeReport(built, { from: deps.config.smtp.from, messageId, date: ctx.now }), reportFileName(r.email, r.kind, period.label)),
    async (n) => {
      if (n > 1) ctx.log.warn({ recipient: r.email, kind: r.kind, attempt: n }, 'retrying report delivery');
      return startAttempt(deps.db, id, workerId, deps.clock.now(), leaseMs);
    }).finally(() => built.dispose());
  const counts = { practices: built.model.totals.practicesNeedingAction, issues: built.model.totals.issues };
  if (res.ok) {
    const status = transport.kind === 'smtp' ? 'sent' : 'written';
    const recorded = await markDelivered(deps.db, id, workerId, { status, now: deps.clock.now(), messageId, path: res.value.path, transport: transport.kind });
    if (!recorded) ctx.log.warn({ recipient: r.email, kind: r.kind }, 'report delivered but the claim had been taken over');
    return { ...base, status, path: res.value.path, attempts: res.attempts, ...counts };
  }
  if (res.vetoed) return { ...base, status: 'skipped', reason: 'claim lost', attempts: res.attempts };
  const error = describeSendError(res.error, ctx.smtpUrl);
  await markFailed(deps.db, id, workerId, error, deps.clock.now());
  ctx.log.error({ recipient: r.email, kind: r.kind, attempts: res.attempts, error }, 'report delivery failed');
  return { ...base, status: 'failed', error, attempts: res.attempts, ...counts };
}
