/**
 * The metrics read from Postgres and BullMQ at scrape time, the same in `serve` and in each
 * worker's metrics port: runs by kind, source and status; the last success per source; the outbox
 * backlog; how fresh the numbers are; SMS numbers and audit status; queue depths. A source that is
 * down reports nothing for that scrape (and a warning in the log), never a failed scrape.
 */
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { AppDeps } from '../app';
import { SUCCESS_STATUSES } from '../runs';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;
const UNFINISHED_ACTIONS = ['pending', 'in_flight'];
/** An SQL list of our own constants (never input). */
const sqlList = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

type Deps = Pick<AppDeps, 'db' | 'log'>;

export function addDomainMetrics(registry: Registry, deps: Deps, queues: readonly Queue[]): void {
  const rows = <T>(sql: string) => safe(deps, async () => (await deps.db.raw(sql)).rows as T[]);
  /**
   * A gauge set at each scrape from one query: `values` turns its rows into labelled values
   * (`zero` labels are set to 0 first, so a status with no rows still shows).
   */
  const queryGauge = <R>(g: {
    name: string; help: string; labelNames?: readonly string[]; sql: string;
    values: (r: R) => Array<[Record<string, string>, number]>; zero?: Record<string, string>[];
  }) => new Gauge({
    name: g.name, help: g.help, labelNames: g.labelNames ?? [], registers: [registry],
    async collect() {
      this.reset();
      for (const labels of g.zero ?? []) this.set(labels, 0);
      for (const r of (await rows<R>(g.sql)) ?? []) {
        for (const [labels, value] of g.values(r)) this.set(labels, value);
      }
    },
  });
  const count = (r: { n: string }) => Number(r.n);

  queryGauge<{ kind: string; source: string | null; status: string; n: string }>({
    name: 'updox_sync_runs', help: 'Runs (dry runs excluded) by kind, source and status', labelNames: ['kind', 'source', 'status'],
    sql: 'SELECT kind, source, status, count(*) AS n FROM runs WHERE NOT dry_run GROUP BY kind, source, status',
    values: (r) => [[{ kind: r.kind, source: r.source ?? '', status: r.status }, count(r)]],
  });
  queryGauge<{ kind: string; source: string | null; t: string }>({
    name: 'updox_sync_run_last_success_timestamp_seconds', help: 'When the last run of each kind and source ended well (Unix time)', labelNames: ['kind', 'source'],
    sql: `SELECT kind, source, extract(epoch FROM max(finished_at)) AS t FROM runs
          WHERE NOT dry_run AND status IN (${sqlList(SUCCESS_STATUSES)}) AND finished_at IS NOT NULL GROUP BY kind, source`,
    values: (r) => [[{ kind: r.kind, source: r.source ?? '' }, Number(r.t)]],
  });
  queryGauge<{ status: string; n: string }>({
    name: 'updox_sync_outbox_actions', help: 'Outbox actions not yet finished (pending, in_flight), over every run', labelNames: ['status'],
    sql: `SELECT status, count(*) AS n FROM sync_actions WHERE status IN (${sqlList(UNFINISHED_ACTIONS)}) GROUP BY status`,
    values: (r) => [[{ status: r.status }, count(r)]], zero: UNFINISHED_ACTIONS.map((status) => ({ status })),
  });
  queryGauge<{ s: string | null }>({
    name: 'updox_sync_outbox_oldest_pending_seconds', help: 'Age of the oldest unfinished outbox action (0 when none)',
    sql: `SELECT extract(epoch FROM now() - min(created_at)) AS s FROM sync_actions WHERE status IN (${sqlList(UNFINISHED_ACTIONS)})`,
    values: (r) => [[{}, Number(r.s ?? 0)]],
  });
  queryGauge<{ newest: string | null; oldest: string | null }>({
    name: 'updox_sync_numbers_last_seen_timestamp_seconds',
    help: 'How fresh the SMS numbers are: when SmsSendNumberList last reported a number (newest and oldest of the listed numbers, Unix time)',
    labelNames: ['which'],
    sql: 'SELECT extract(epoch FROM max(last_seen_at)) AS newest, extract(epoch FROM min(last_seen_at)) AS oldest FROM sms_numbers WHERE NOT missing',
    values: (r) => [
      ...(r.newest ? [[{ which: 'newest' }, Number(r.newest)] as [Record<string, string>, number]] : []),
      ...(r.oldest ? [[{ which: 'oldest' }, Number(r.oldest)] as [Record<string, string>, number]] : []),
    ],
  });
  queryGauge<{ status: string; n: string }>({
    name: 'updox_sync_sms_numbers', help: 'SMS numbers by normalized verification status (missing numbers excluded)', labelNames: ['status'],
    sql: 'SELECT status, count(*) AS n FROM sms_numbers WHERE NOT missing GROUP BY status',
    values: (r) => [[{ status: r.status }, count(r)]],
  });
  queryGauge<{ n: string }>({
    name: 'updox_sync_sms_numbers_overdue', help: 'SMS numbers pending longer than numbers.pendingBusinessDays',
    sql: 'SELECT count(*) AS n FROM sms_numbers WHERE overdue AND NOT missing',
    values: (r) => [[{}, count(r)]],
  });
  queryGauge<{ audit_status: string; n: string }>({
    name: 'updox_sync_practices_audit', help: 'Practices by business-details audit status', labelNames: ['status'],
    sql: 'SELECT audit_status, count(*) AS n FROM practices WHERE audit_status IS NOT NULL GROUP BY audit_status',
    values: (r) => [[{ status: r.audit_status }, count(r)]],
  });
  if (!queues.length) return;
  new Gauge({
    name: 'updox_sync_queue_jobs',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of queues) {
        const counts = await safe(deps, () => q.getJobCounts(...QUEUE_STATES));
        for (const s of QUEUE_STATES) this.set({ queue: q.name, state: s }, counts?.[s] ?? 0);
      }
    },
  });
}

async function safe<T>(deps: Pick<AppDeps, 'log'>, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'metrics source unavailable');
    return undefined;
  }
}
