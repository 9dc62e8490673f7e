/**
 * Prometheus metrics of `serve` (prom-client). One registry per server, so tests can build several
 * servers in one process. Request counters are updated by hooks; the domain gauges
 * (src/observability/domain-metrics.ts: runs, outbox, numbers, queue depths) are computed at
 * scrape time from Postgres and BullMQ, so they are always current and cost nothing between
 * scrapes. /metrics also carries the process's own Updox metrics (deps.metrics).
 */
import type { Queue } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppDeps } from '../app';
import { addDomainMetrics } from '../observability/domain-metrics';

export interface HttpMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  webhooks: Counter<'outcome'>;
}

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

  addDomainMetrics(registry, deps, queues);
  return { registry, requests, webhooks };
}

