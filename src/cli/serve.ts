/**
 * `updox-sync serve`: the HTTP server — verification webhook, /healthz, /readyz, /metrics and the
 * queue dashboard. Runs until SIGTERM/SIGINT, then stops accepting, finishes in-flight requests and
 * closes the pools.
 */
import { createQueues } from '../../jobs/queues';
import { buildHttpServer } from '../http/server';
import { BadInputError } from '../errors';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('serve')
    .description('run the HTTP server: verification webhook, health, metrics, queue dashboard')
    .option('--port <port>', 'port to listen on (default HTTP_PORT or 8080; 0 = any free port)')
    .option('--host <host>', 'address to bind (default HTTP_HOST or 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      await ctx.withApp(async (deps) => {
        const port = opts.port === undefined ? deps.config.http.port : Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BadInputError('SERVE_BAD_PORT', `--port must be 0–65535, got "${opts.port}"`);
        const host = opts.host ?? deps.config.http.host;
        // Every queue, for the dashboard and the queue-depth metrics; closed after the server.
        const q = createQueues(deps);
        const server = await buildHttpServer(deps, { queues: Object.values(q.queues) });
        server.addHook('onClose', async () => { await q.close(); });
        const address = await server.listen({ port, host });
        deps.log.info({ address }, 'http server listening');
        ctx.print(`listening on ${address} (webhook: ${address}/webhooks/updox/sms-verification)`);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            deps.log.info({ signal }, 'shutting down');
            server.close().then(() => resolve(), () => resolve());
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
      });
    });
};
