/**
 * Value checks of the configuration, one named refinement each, applied by the schemas in
 * config.ts: what a value must be for the program to run safely (a read-only query, …). Kept apart
 * from loading (where values come from, unknown keys) so that each reads on its own. Pure.
 */
import { CronExpressionParser } from 'cron-parser';
import type { z } from 'zod';
import { SyncError } from './errors';
import { checkReadOnlyQuery } from './roster/read-only-query';

/** A db source's `query` must pass the same check the import makes before connecting. */
export function readOnlyQueryRefinement(s: { client: 'pg' | 'mysql2'; query?: string | undefined }, ctx: z.RefinementCtx): void {
  if (!s.query) return;
  try {
    checkReadOnlyQuery(s.query, s.client);
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['query'], message: err.message });
  }
}

/** setTimeout's largest delay (2^31 − 1 ms, ~24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Bounds of the numeric settings. Each keeps the waits derived from it inside a timer's range
 * (the slowest rate spaces requests 100 s apart) and outside absurdity (a timeout of a day).
 */
export const LIMITS = {
  requestsPerSecond: { min: 0.01, max: 10_000 },
  maxInFlight: { min: 1, max: 1000 },
  timeoutMs: { min: 100, max: 600_000 },
  maxRetries: { min: 0, max: 20 },
  webhookToleranceSec: { min: 1, max: 86_400 },
  concurrency: { min: 1, max: 256 },
  takeovers: { min: 1, max: 1000 },
} as const;

/** The supervisor's defaults (jobs/supervisor.ts; SUPERVISE_EVERY_MS, SUPERVISOR_HANDOFF_MS, MAX_TAKEOVERS). */
export const SUPERVISOR_DEFAULTS = { intervalMs: 10_000, handoffMs: 120_000, maxTakeovers: 5 } as const;

/** An IANA time zone name the runtime knows ("America/Chicago", "UTC"). */
export function isTimeZone(tz: string): boolean {
  if (!tz.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function timeZoneRefinement(tz: string | undefined, ctx: z.RefinementCtx): void {
  if (tz !== undefined && !isTimeZone(tz)) ctx.addIssue({ code: 'custom', message: `"${tz}" is not an IANA time zone (e.g. America/Chicago, UTC)` });
}

/** Why `expr` is not a cron expression BullMQ can schedule (cron-parser, the library it uses), or null. */
export function cronProblem(expr: string): string | null {
  if (!expr.trim()) return 'an empty cron expression';
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' }).next();
    return null;
  } catch (err) {
    return `"${expr}" is not a cron expression: ${(err as Error).message}`;
  }
}

export function cronRefinement(expr: string | undefined, ctx: z.RefinementCtx): void {
  const problem = expr === undefined ? null : cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (minute hour day-of-month month day-of-week)` });
}

/** A URL refinement: one of `schemes`, a host, and a port (when given) in 1–65535. */
export function urlWithScheme(schemes: readonly string[]) {
  return (value: string | undefined, ctx: z.RefinementCtx): void => {
    const problem = value === undefined ? null : urlProblem(value, schemes);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

export function urlProblem(value: string, schemes: readonly string[]): string | null {
  const shown = value.replace(/\/\/[^@/]*@/, '//…@'); // never echo credentials
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(value)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range (1–65535) in ${shown}`;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `not a URL: ${shown}`;
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) return `scheme "${scheme}:" is not allowed here (use ${schemes.map((s) => `${s}://`).join(' or ')}): ${shown}`;
  if (!u.hostname) return `no host in ${shown}`;
  return null;
}

/** Partner-database URL schemes per client. */
export const PARTNER_URL_SCHEMES: Record<'pg' | 'mysql2', readonly string[]> = {
  pg: ['postgres', 'postgresql'],
  mysql2: ['mysql', 'mariadb'],
};

/**
 * Problems of the partner-database URLs that are set (a missing one is reported by the command
 * that reads it): the client's scheme, a host, a port in range. Never echoes credentials.
 */
export function partnerUrlProblems(sources: readonly { kind: string; name: string; client?: 'pg' | 'mysql2'; urlEnv?: string }[], env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const s of sources) {
    if (s.kind !== 'db' || !s.client || !s.urlEnv || !env[s.urlEnv]) continue;
    const problem = urlProblem(env[s.urlEnv]!, PARTNER_URL_SCHEMES[s.client]);
    if (problem) problems.push(`${s.urlEnv} (source "${s.name}", client ${s.client}): ${problem}`);
  }
  return problems;
}

/** One character of the id, a dash and the 10-character hash suffix (sync/account-id.ts). */
const ACCOUNT_ID_HASH_ROOM = 12;

/**
 * An accountId prefix must leave room in maxLength for an id and the hash suffix; the charset
 * must compile as a regex character class.
 */
export function accountIdRefinement(a: { prefix: string; maxLength: number; charset: string }, ctx: z.RefinementCtx): void {
  const room = a.maxLength - ACCOUNT_ID_HASH_ROOM;
  if (a.prefix.length > room) {
    ctx.addIssue({ code: 'custom', path: ['prefix'], message: `the prefix is ${a.prefix.length} characters; with maxLength ${a.maxLength} it may have at most ${Math.max(0, room)} (one character of the id, a dash and the 10-character hash suffix need the rest)` });
  }
  try {
    new RegExp(`[^${a.charset}]`);
  } catch {
    ctx.addIssue({ code: 'custom', path: ['charset'], message: `"${a.charset}" is not a regex character-class body (e.g. A-Za-z0-9._-)` });
  }
}
