/**
 * The Updox simulator (docs/simulator.md): a real HTTP server on loopback speaking the contract in
 * updox-api.md, with in-memory state, fault injection, an optional rate limit and an admin API
 * under /_sim/. It shares no code with src/updox: it stands in for the vendor.
 */
import type { AddressInfo } from 'node:net';
import { createSimServer } from './server';
import type { SimulatorOptions } from './types';
import { SimWorld } from './world';

export type { Fault, FaultKind, PartnerBusinessDetails, RateLimitOptions, ReadShape, SimulatorOptions, VerificationStatus, WebhookTarget } from './types';
export { formatUpdoxTimestamp, signUpdoxHmac } from './hmac';
export { signWebhookBody } from './webhook-sender';
export { simulatorAdmin, type CountersSnapshot, type SimPracticeState, type SimulatorAdmin } from './admin-client';

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT` (admin endpoints live under `${url}/_sim/`). */
  url: string;
  /** `${url}/api/io`: what UPDOX_BASE_URL should be. */
  baseUrl: string;
  port: number;
  /** Stops listening, drops every connection (hanging ones included) and waits for webhook deliveries. */
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const world = new SimWorld(opts);
  const { server, timers } = createSimServer(world);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    baseUrl: `${url}/api/io`,
    port,
    close() {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await world.webhooks.close();
      })();
      return closing;
    },
  };
}
