/**
 * Shared setup for the client's contract tests: a simulator over HTTP (port 0), a client on it
 * with short backoffs, a Redis key per client, and a pino logger whose every line is captured so
 * tests can assert that secrets never reach the logs.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../../../src/log';
import { simulatorAdmin, startSimulator, type CountersSnapshot } from '../../../src/simulator/index';
import { createUpdoxClient, type CreateClientOptions, type UpdoxHttpClient } from '../../../src/updox/client';
import type { UpdoxConfig } from '../../../src/config';
import { TEST_APP_ID, TEST_APP_PASSWORD } from '../../helpers/env';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

export type Sim = Awaited<ReturnType<typeof startSimulator>>;
export type SimOptions = Parameters<typeof startSimulator>[0];

export interface Harness {
  sim: Sim;
  redis: Redis;
  prefix: string;
  /** Every log line written by every client of this harness (JSON text). */
  logLines: string[];
  client(config?: Partial<UpdoxConfig>, extra?: Partial<CreateClientOptions>): UpdoxHttpClient;
  admin<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  faults(...faults: Record<string, unknown>[]): Promise<void>;
  counters(): Promise<Counters>;
  close(): Promise<void>;
}

export type Counters = CountersSnapshot;

export async function startHarness(simOpts: Partial<SimOptions> = {}, label = 'client'): Promise<Harness> {
  const sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, seed: 7, ...simOpts });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = testPrefix(label);
  const logLines: string[] = [];
  const log = createLogger({ level: 'trace' }, { write: (s: string) => { logLines.push(s); } });
  const clients: UpdoxHttpClient[] = [];
  let n = 0;
  const simAdmin = simulatorAdmin(sim.url);
  const admin = simAdmin.request;
  return {
    sim, redis, prefix, logLines, admin,
    client(config = {}, extra = {}) {
      const c = createUpdoxClient({
        baseUrl: sim.baseUrl, applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD,
        requestsPerSecond: 500, maxInFlight: 8, timeoutMs: 2_000, maxRetries: 3, maxListBytes: 2 * 1024 ** 3, readShare: 0.2, ...config,
      }, { redis, log, limiterKey: `${prefix}:limiter:${n++}`, backoff: { baseMs: 5, capMs: 40 }, ...extra });
      clients.push(c);
      return c;
    },
    faults: (...faults) => simAdmin.setFaults(faults),
    counters: () => simAdmin.counters(),
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
      await deleteKeys(prefix);
      redis.disconnect();
    },
  };
}

/** A complete 1.1 practice (every business detail present). */
export function practice(accountId: string, extra: Record<string, unknown> = {}) {
  return {
    accountId, name: `Practice ${accountId}`, address1: '12 Elm Street', address2: 'Floor 2', city: 'Columbus', state: 'OH',
    postal: '43215', phone: '6145550100', fax: '6145550101', timeZone: 'America/New_York', active: true,
    websiteUrl: `https://${accountId}.example`, country: 'US', ...extra,
  };
}
