/**
 * Prometheus metrics (prom-client). One registry per server, so tests can build several servers in
 * one process. Request counters are updated by hooks; the domain gauges (numbers by status, audit
 * status, queue depths) are computed at scrape time from Postgres and BullMQ, so they are always
 * current and cost nothing between scrapes.
 */
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppDeps } from '../app';

export interface HttpMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  webhooks: Counter<'outcome'>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

export function createMetrics(deps: Pick<AppDeps, 'db' | 'log'>, queues: readonly Queue[]): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'updox-sync' });
  collectDefaultMetrics({ register: registry });

  const requests = new Histogram({
    name: 'updox_sync_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'updox_sync_webhook_requests_total',
    help: 'Verification webhook requests by outcome (accepted, duplicate, ignored, or the rejection code)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'updox_sync_sms_numbers',
    help: 'SMS numbers by normalized verification status (missing numbers excluded)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await safe(deps, () => deps.db('sms_numbers').where({ missing: false }).select('status').count<{ status: string; count: string }[]>('* as count').groupBy('status'));
      for (const r of rows ?? []) this.set({ status: r.status }, Number(r.count));
    },
  });
  new Gauge({
    name: 'updox_sync_sms_numbers_overdue',
    help: 'SMS numbers pending longer than numbers.pendingBusinessDays',
    registers: [registry],
    async collect() {
      const rows = await safe(deps, () => deps.db('sms_numbers').where({ overdue: true, missing: false }).count<{ count: string }[]>('* as count'));
      this.set(Number(rows?.[0]?.count ?? 0));
    },
  });
  new Gauge({
    name: 'updox_sync_practices_audit',
    help: 'Practices by business-details audit status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await safe(deps, () => deps.db('practices').whereNotNull('audit_status').select('audit_status').count<{ audit_status: string; count: string }[]>('* as count').groupBy('audit_status'));
      for (const r of rows ?? []) this.set({ status: r.audit_status }, Number(r.count));
    },
  });
  if (queues.length) {
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
  return { registry, requests, webhooks };
}

/** A scrape must not fail because one source is down: log and report nothing for it. */
async function safe<T>(deps: Pick<AppDeps, 'log'>, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'metrics source unavailable');
    return undefined;
  }
}
