/** `updox-sync worker`: BullMQ workers for every queue and a supervisor, until SIGTERM/SIGINT. */
import { closeOnSignals, createApp } from '../app';
import { createQueues } from '../../jobs/queues';
import { startWorkers } from '../../jobs/worker';
import { DEFAULT_SUPERVISOR } from '../../jobs/supervisor';
import { startAlerts } from '../alerts/notifier';
import { startMetricsServer } from '../http/metrics-server';
import type { RegisterCommand } from './context';

const int = (v: string) => Number.parseInt(v, 10);

interface Flags { updoxConcurrency?: number; superviseEvery?: number; handoff?: number; maxTakeovers?: number; metricsPort?: number }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('worker')
    .description('run BullMQ workers for all queues (sync, updox, mail) and a supervisor; scale out by running more')
    .option('--updox-concurrency <n>', 'apply/numbers jobs processed at once', int)
    .option('--supervise-every <ms>', `how often the supervisor looks at Postgres (default ${DEFAULT_SUPERVISOR.intervalMs})`, int)
    .option('--handoff <ms>', `how long a finished step waits for its next job before a takeover (default ${DEFAULT_SUPERVISOR.handoffMs})`, int)
    .option('--max-takeovers <n>', `takeovers of one run before it is failed (default ${DEFAULT_SUPERVISOR.maxTakeovers})`, int)
    .option('--metrics-port <port>', 'serve GET /metrics on this port (default METRICS_PORT; unset: none; 0 = any free port)', int)
    .action(async (opts: Flags) => {
      const app = createApp(ctx.config());
      const { deps } = app;
      const q = createQueues(deps);
      const running = startWorkers(deps, q, {
        ...(opts.updoxConcurrency ? { concurrency: { updox: opts.updoxConcurrency } } : {}),
        supervisor: {
          ...(opts.superviseEvery ? { intervalMs: opts.superviseEvery } : {}),
          ...(opts.handoff ? { handoffMs: opts.handoff } : {}),
          ...(opts.maxTakeovers ? { maxTakeovers: opts.maxTakeovers } : {}),
        },
      });
      const metricsPort = opts.metricsPort ?? deps.config.metrics.port;
      const metrics = metricsPort === undefined ? null : await startMetricsServer(deps, Object.values(q.queues), deps.config.http.host, metricsPort);
      if (metrics) ctx.print(`metrics on ${metrics.url}`);
      const alerts = startAlerts(deps);
      deps.log.info({ pid: process.pid, metrics: metrics?.url }, 'worker started');
      closeOnSignals(async () => {
        await alerts.stop();
        await metrics?.close();
        await running.close();
        await q.close();
        await app.close();
      }, deps.log);
      await new Promise(() => {}); // until a signal
    });
};
