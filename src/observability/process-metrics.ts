/**
 * What one process sees of Updox: every call attempt by method and outcome with its latency (fed by
 * the client's onAttempt hook, wired in src/app.ts), and the shared limiter as this process sees
 * it (time waited for permits, the current adaptive rate, permits held). One registry per app.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptEvent, ClientStats } from '../updox/client';

export interface ProcessMetrics {
  registry: Registry;
  /** The client's onAttempt hook. Never throws. */
  onAttempt(e: AttemptEvent): void;
  /** Where the limiter gauges read from (null until the client is built). */
  setClientStats(read: () => ClientStats | null): void;
}

export function createProcessMetrics(): ProcessMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'updox-sync' });
  let read: () => ClientStats | null = () => null;
  const calls = new Counter({
    name: 'updox_sync_updox_calls_total',
    help: 'Updox call attempts by method and outcome (ok, retryable, permanent, halt, pending_verification, insufficient_details)',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'updox_sync_updox_call_duration_seconds',
    help: 'Updox call attempt latency by method and outcome (the wait for the limiter not included)',
    labelNames: ['method', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'updox_sync_limiter_wait_seconds_total',
    help: 'Time this process waited for the shared Updox rate limiter (permits and in-flight slots)',
    registers: [registry],
    collect() { this.set((read()?.limiter.waitedMs ?? 0) / 1000); },
  });
  new Gauge({
    name: 'updox_sync_limiter_rate_per_second',
    help: 'The shared adaptive Updox rate as last seen by this process (configured: the ceiling)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const s = read()?.limiter;
      if (!s) return;
      this.set({ kind: 'effective' }, s.effectiveRps);
      this.set({ kind: 'configured' }, s.configuredRps);
    },
  });
  new Gauge({
    name: 'updox_sync_limiter_in_flight',
    help: 'Updox requests this process has in flight',
    registers: [registry],
    collect() { this.set(read()?.limiter.inFlight ?? 0); },
  });
  return {
    registry,
    onAttempt(e) {
      try {
        calls.inc({ method: e.method, outcome: e.outcome });
        latency.observe({ method: e.method, outcome: e.outcome }, e.ms / 1000);
      } catch {
        // a metric must never fail a call
      }
    },
    setClientStats(fn) { read = fn; },
  };
}
