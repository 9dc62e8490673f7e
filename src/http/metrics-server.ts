/**
 * A worker's metrics port (`updox-sync worker --metrics-port N`, or METRICS_PORT): GET /metrics
 * with the process's Updox call and limiter metrics, Node's own, and the same Postgres and queue
 * gauges as `serve`'s /metrics. Nothing else is served.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { AppDeps } from '../app';
import { addDomainMetrics } from '../observability/domain-metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(deps: Pick<AppDeps, 'db' | 'log' | 'metrics'>, queues: readonly Queue[], host: string, port: number): Promise<MetricsServer> {
  const own = new Registry();
  own.setDefaultLabels({ app: 'updox-sync' });
  collectDefaultMetrics({ register: own });
  addDomainMetrics(own, deps, queues);
  const registry = deps.metrics ? Registry.merge([own, deps.metrics.registry]) : own;
  registry.setDefaultLabels({ app: 'updox-sync' }); // a merged registry has none of its parts'
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => {
        deps.log.warn({ err: err.message }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}/metrics`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
