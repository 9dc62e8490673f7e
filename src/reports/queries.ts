/**
 * SQL for the report model, as small builder functions (pg-boss `plans.ts` style); the long lists
 * (every action row, every change) are read through src/db/cursor.ts in pages, never all at once.
 * Scope: one manager's practices (by practices.manager_email, case-insensitive) or all of them.
 */

export type Scope = { manager: string } | { all: true };

import type { Sql } from '../db/cursor';

export type { Sql };

/** `lower(expr) = ?` for a manager, TRUE for the partner-wide report. */
export function scopeSql(scope: Scope, expr: string): Sql {
  return 'manager' in scope ? { sql: `lower(${expr}) = ?`, bindings: [scope.manager.toLowerCase()] } : { sql: 'TRUE', bindings: [] };
}

/** How far back a failed save still shows when the practice row does not record it (a failed create). */
export const FAILED_SAVE_LOOKBACK_DAYS = 30;

export interface ActionRow {
  prio: number; account_id: string; name: string | null; manager: string | null; reason: string; number: string | null;
  code: number | null; message: string | null; findings: unknown; since: Date | null;
}

/**
 * Every issue in scope, one row per (reason, account, number), grouped by practice: practices in
 * the order of their most urgent issue, then account id; within a practice, most urgent first.
 * Failed saves come from the outbox (the latest failed action of recent runs with no later success;
 * the practice may not exist yet when a create failed, so its name and manager come from the
 * outbox row: the payload it would have saved, the roster's manager) and from practices.last_status.
 */
export function actionsSql(scope: Scope, now: Date): Sql {
  const p = scopeSql(scope, 'p.manager_email');
  const f = scopeSql(scope, 'coalesce(p.manager_email, o.manager_email)');
  const lookback = new Date(now.getTime() - FAILED_SAVE_LOOKBACK_DAYS * 86_400_000);
  const sql = `
    WITH scoped AS (SELECT * FROM practices p WHERE p.active IS NOT FALSE AND ${p.sql}),
    outbox_failed AS (
      SELECT DISTINCT ON (a.account_id) a.account_id, a.run_id, a.external_id, a.payload->>'name' AS name, a.manager_email, a.code, a.message, coalesce(a.finished_at, a.created_at) AS at
      FROM sync_actions a JOIN runs r ON r.id = a.run_id
      WHERE r.created_at >= ? AND a.status = 'failed'
        AND NOT EXISTS (SELECT 1 FROM sync_actions b WHERE b.account_id = a.account_id AND b.status = 'succeeded' AND b.id > a.id)
      ORDER BY a.account_id, a.id DESC
    ),
    -- Saves whose outcome Updox would not confirm (lost reply; needs_review with evidence), not settled since.
    outbox_review AS (
      SELECT DISTINCT ON (a.account_id) a.account_id, a.payload->>'name' AS name, a.manager_email, a.code, a.message, coalesce(a.finished_at, a.created_at) AS at
      FROM sync_actions a JOIN runs r ON r.id = a.run_id
      WHERE r.created_at >= ? AND a.status = 'needs_review'
        AND NOT EXISTS (SELECT 1 FROM sync_actions b WHERE b.account_id = a.account_id AND b.status IN ('succeeded', 'failed') AND b.id > a.id)
      ORDER BY a.account_id, a.id DESC
    ),
    rows AS (
      SELECT 1 AS prio, o.account_id, coalesce(p.name, o.name) AS name, coalesce(p.manager_email, o.manager_email) AS manager,
             'SAVE_NEEDS_REVIEW' AS reason, NULL::text AS number, o.code, o.message, p.audit_findings AS findings, o.at AS since
      FROM outbox_review o
      LEFT JOIN practices p ON p.account_id = o.account_id
      WHERE ${f.sql}
      UNION ALL
      SELECT 1 AS prio, o.account_id, coalesce(p.name, o.name) AS name, coalesce(p.manager_email, o.manager_email) AS manager,
             'SAVE_FAILED' AS reason, NULL::text AS number, o.code, o.message, p.audit_findings AS findings, o.at AS since
      FROM outbox_failed o
      LEFT JOIN practices p ON p.account_id = o.account_id
      WHERE (p.last_status IS NULL OR p.last_status <> 'succeeded' OR p.last_saved_at IS NULL OR p.last_saved_at < o.at) AND ${f.sql}
      UNION ALL
      SELECT 1, p.account_id, p.name, p.manager_email, 'SAVE_FAILED', NULL, p.last_code, p.last_message, p.audit_findings, p.last_saved_at
      FROM scoped p WHERE p.last_status = 'failed'
      UNION ALL
      SELECT 2, p.account_id, p.name, p.manager_email, 'DETAILS_INSUFFICIENT', NULL, 4039, NULL, p.audit_findings, p.details_insufficient_at
      FROM scoped p WHERE p.details_insufficient_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM sms_numbers v WHERE v.account_id = p.account_id AND v.status = 'verified' AND v.status_since > p.details_insufficient_at)
      UNION ALL
      SELECT 3, p.account_id, p.name, p.manager_email, 'NUMBER_REJECTED', n.number, NULL, n.raw_status, p.audit_findings, n.status_since
      FROM sms_numbers n JOIN scoped p ON p.account_id = n.account_id WHERE n.status = 'rejected' AND NOT n.missing
      UNION ALL
      SELECT 4, p.account_id, p.name, p.manager_email, 'DETAILS_INCOMPLETE', NULL, NULL, NULL, p.audit_findings,
             (SELECT max(h.audited_at) FROM business_detail_audits h WHERE h.account_id = p.account_id)
      FROM scoped p WHERE p.audit_status = 'incomplete'
      UNION ALL
      SELECT 5, p.account_id, p.name, p.manager_email, 'NUMBER_OVERDUE', n.number, NULL, n.raw_status, p.audit_findings, n.status_since
      FROM sms_numbers n JOIN scoped p ON p.account_id = n.account_id WHERE n.overdue AND n.status = 'pending' AND NOT n.missing
    )
    SELECT * FROM (
      SELECT DISTINCT ON (prio, account_id, coalesce(number, '')) * FROM rows
      ORDER BY prio, account_id, coalesce(number, ''), since DESC NULLS LAST
    ) d
    ORDER BY min(prio) OVER (PARTITION BY account_id), account_id, prio, coalesce(number, '')`;
  return { sql, bindings: [...p.bindings, lookback, lookback, ...f.bindings, ...f.bindings] };
}

export interface ChangeRow { kind: string; account_id: string; name: string | null; manager: string | null; number: string | null; at: Date }

/**
 * Newly verified / rejected numbers and newly complete details in (since, until].
 * A number's first observation is a change when it came by webhook, or when the account's numbers
 * had been seen before (a number added later). The numbers seen at an account's first check
 * start its history and are not changes: otherwise a first night at 1,000,000 practices lists
 * 900,000 numbers as newly verified.
 */
export function changesSql(scope: Scope, since: Date, until: Date): Sql {
  const s = scopeSql(scope, 'p.manager_email');
  const sql = `
    SELECT e.to_status AS kind, e.account_id, p.name, p.manager_email AS manager, e.number, e.recorded_at AS at
    FROM sms_number_events e JOIN practices p ON p.account_id = e.account_id
    WHERE e.recorded_at > ? AND e.recorded_at <= ? AND e.to_status IN ('verified', 'rejected')
      AND e.from_status IS DISTINCT FROM e.to_status AND ${s.sql}
      AND (e.from_status IS NOT NULL OR e.source = 'webhook'
           OR e.observed_at > (SELECT min(n.first_seen_at) FROM sms_numbers n WHERE n.account_id = e.account_id))
    UNION ALL
    SELECT 'complete', a.account_id, p.name, p.manager_email, NULL, a.audited_at
    FROM business_detail_audits a JOIN practices p ON p.account_id = a.account_id
    WHERE a.audited_at > ? AND a.audited_at <= ? AND a.status IN ('complete', 'warnings') AND ${s.sql}
      AND (SELECT b.status FROM business_detail_audits b WHERE b.account_id = a.account_id AND b.audited_at < a.audited_at
           ORDER BY b.audited_at DESC, b.id DESC LIMIT 1) = 'incomplete'
    ORDER BY kind DESC, at, account_id, number`;
  return { sql, bindings: [since, until, ...s.bindings, since, until, ...s.bindings] };
}

/** Count of numbers per status at the end of each day, reconstructed from the event history. */
export function chartSql(scope: Scope, dayEnds: Date[]): Sql {
  const s = scopeSql(scope, 'p.manager_email');
  const sql = `
    WITH ev AS (
      SELECT e.to_status AS status, e.observed_at AS from_t,
             lead(e.observed_at) OVER (PARTITION BY e.account_id, e.number ORDER BY e.observed_at, e.id) AS to_t
      FROM sms_number_events e JOIN practices p ON p.account_id = e.account_id WHERE ${s.sql}
    ), days AS (SELECT d, ord FROM unnest(?::timestamptz[]) WITH ORDINALITY AS t(d, ord))
    SELECT days.ord::int AS ord, ev.status, count(*)::int AS n
    FROM days JOIN ev ON ev.from_t < days.d AND (ev.to_t IS NULL OR ev.to_t >= days.d)
    GROUP BY 1, 2`;
  return { sql, bindings: [...s.bindings, dayEnds] };
}
