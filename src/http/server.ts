/**
 * The HTTP server of `updox-sync serve`: the verification webhook, liveness (/healthz), readiness
 * (/readyz: Postgres and Redis answer), Prometheus metrics (/metrics) and the BullMQ dashboard
 * (/dashboard, basic auth). The caller passes the queues to show; the server never creates any.
 */
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { AppDeps } from '../app';
import { handleVerificationWebhook } from '../sms/webhook';
import { SECOND } from '../time';
import type { WebhookAuthMode } from '../sms/webhook-auth';
import { mountDashboard } from './dashboard';
import { createMetrics } from './metrics';

export const WEBHOOK_PATH = '/webhooks/updox/sms-verification';
const WEBHOOK_BODY_LIMIT = 1024 * 1024;
const READY_TIMEOUT_MS = 2 * SECOND;

function withTimeout<T>(p: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

export interface HttpServerOptions {
  queues?: readonly Queue[];
  /** How the webhook authenticates when config `http.webhookAuth` (WEBHOOK_AUTH) is not set; default 'hmac'. */
  webhookAuth?: WebhookAuthMode;
}

export async function buildHttpServer(deps: AppDeps, opts: HttpServerOptions = {}): Promise<FastifyInstance> {
  const log = deps.log.child({ component: 'http' });
  const queues = opts.queues ?? [];
  const metrics = createMetrics(deps, queues);
  const mode: WebhookAuthMode = deps.config.http.webhookAuth ?? opts.webhookAuth ?? 'hmac';
  const app = Fastify({ logger: false, bodyLimit: WEBHOOK_BODY_LIMIT, return503OnClosing: true });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) log.error({ route, status: reply.statusCode }, 'request failed');
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const statusCode = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (statusCode >= 500) log.error({ err: err.message }, 'unhandled error');
    void reply.code(statusCode).send({ status: 'error', code: err.code ?? 'HTTP_ERROR', reason: statusCode >= 500 ? 'internal error' : err.message });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    // Bounded: ioredis queues commands while reconnecting and knex waits for a pool slot.
    const [db, redis] = await Promise.all([
      withTimeout(deps.db.raw('select 1'), READY_TIMEOUT_MS).then(() => 'ok', (e: Error) => e.message),
      withTimeout(deps.redis.ping(), READY_TIMEOUT_MS).then(() => 'ok', (e: Error) => e.message),
    ]);
    const ready = db === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { postgres: db, redis } });
  });
  // The server's metrics and this process's Updox metrics, in one exposition.
  const registry = deps.metrics ? Registry.merge([metrics.registry, deps.metrics.registry]) : metrics.registry;
  registry.setDefaultLabels({ app: 'updox-sync' }); // a merged registry has none of its parts'
  app.get('/metrics', async (_req, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });

  // The webhook is signed over its exact bytes: take the raw body, whatever the content type.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post(WEBHOOK_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const res = await handleVerificationWebhook(deps, raw, req.headers, { mode });
      const outcome = res.body.status === 'rejected' ? String(res.body.code) : res.body.status;
      metrics.webhooks.inc({ outcome });
      log.info({ outcome, status: res.statusCode, eventId: res.body.id }, 'verification webhook');
      return reply.code(res.statusCode).send(res.body);
    });
  });

  const { dashboardUser, dashboardPassword } = deps.config.http;
  if (dashboardUser && dashboardPassword) await mountDashboard(app, queues, { user: dashboardUser, password: dashboardPassword });
  else log.info('dashboard not mounted: DASHBOARD_USER and DASHBOARD_PASSWORD not both set');
  return app;
}
