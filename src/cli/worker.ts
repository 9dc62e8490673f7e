/** `updox-sync worker`: BullMQ workers for every queue and a supervisor, until SIGTERM/SIGINT. */
import { closeOnSignals, createApp } from '../app';
import { createQueues } from '../../jobs/queues';
import { startWorkers } from '../../jobs/worker';
import { DEFAULT_SUPERVISOR } from '../../jobs/supervisor';
import { startAlerts } from '../alerts/notifier';
import { startMetricsServer } from '../http/metrics-server';
import { LIMITS, MAX_TIMER_MS } from '../config-values';
import { intOption } from './int-option';
import type { RegisterCommand } from './context';

// Each of these becomes a timer or a count: bounded so that a timer stays in range (2^31 − 1 ms).
const ms = intOption(10, MAX_TIMER_MS);

interface Flags { updoxConcurrency?: number; superviseEvery?: number; handoff?: number; maxTakeovers?: number; metricsPort?: number }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('worker')
    .description('run BullMQ workers for all queues (sync, updox, mail) and a supervisor; scale out by running more')
    .option('--updox-concurrency <n>', 'apply/numbers jobs processed at once', intOption(LIMITS.concurrency.min, LIMITS.concurrency.max))
    .option('--supervise-every <ms>', `how often the supervisor looks at Postgres (default SUPERVISE_EVERY_MS, else ${DEFAULT_SUPERVISOR.intervalMs})`, ms)
    .option('--handoff <ms>', `how long a finished step waits for its next job before a takeover (default SUPERVISOR_HANDOFF_MS, else ${DEFAULT_SUPERVISOR.handoffMs})`, ms)
    .option('--max-takeovers <n>', `takeovers of one run before it is failed; approve and resume do not count (default MAX_TAKEOVERS, else ${DEFAULT_SUPERVISOR.maxTakeovers})`, intOption(LIMITS.takeovers.min, LIMITS.takeovers.max))
    .option('--metrics-port <port>', 'serve GET /metrics on this port (default METRICS_PORT; unset: none; 0 = any free port)', intOption(0, 65535))
    .action(async (opts: Flags) => {
      const app = createApp(ctx.config());
      const { deps } = app;
      const q = createQueues(deps);
      const running = startWorkers(deps, q, {
        ...(opts.updoxConcurrency ? { concurrency: { updox: opts.updoxConcurrency } } : {}),
        supervisor: {
          ...deps.config.supervisor,
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
