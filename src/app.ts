/**
 * Composition root: config → logger → pools → clients → { deps, close() }.
 * Only this file constructs pools and clients (STYLE.md §3). Jobs, CLI commands and tests all
 * receive the same AppDeps.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { createKnex, type KnexLog } from './db/knex';
import { createLogger, throttledLog } from './log';
import { createProcessMetrics, type ProcessMetrics } from './observability/process-metrics';
import { createRedis } from './redis';
import { systemClock, type Clock } from './time';
import { createUpdoxClient } from './updox/client';
import type { UpdoxClient } from './updox/types';
import type { UpdoxHttpClient } from './updox/client';

export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Knex;
  /** A shared Redis connection (rate limiter, locks). BullMQ gets its own connections. */
  redis: Redis;
  clock: Clock;
  /** The one door to Updox: rate-limited (globally, through Redis), retrying, classifying. */
  updox: UpdoxClient;
  /** This process's Updox call and limiter metrics (createApp makes them; hand-built deps may not). */
  metrics?: ProcessMetrics;
}

export interface App {
  deps: AppDeps;
  close(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  clock?: Clock;
  dbPool?: { min: number; max: number };
}

export function createApp(config: Readonly<Config>, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger(config.log);
  const db = createKnex(config.databaseUrl, opts.dbPool, knexLog(log));
  // Connects on its first command: a command that never touches Redis (import, audit) never dials it.
  const redis = createRedis(config.redisUrl, { lazyConnect: true });
  const redisDown = throttledLog(log, 'warn', 'redis connection error');
  redis.on('error', (err) => redisDown({ err: err.message }));
  let updox: UpdoxHttpClient | undefined;
  const metrics = createProcessMetrics();
  metrics.setClientStats(() => updox?.stats() ?? null);
  const deps: AppDeps = {
    config, log, db, redis, clock: opts.clock ?? systemClock, metrics,
    // Built on first use, so that a command that never calls Updox needs none of its settings;
    // unset settings throw a ConfigError naming them.
    get updox() {
      return (updox ??= createUpdoxClient(config.updox, { redis, log, limiterKey: `${config.queuePrefix}:updox-limiter`, onAttempt: metrics.onAttempt }));
    },
  };
  let closed = false;
  return {
    deps,
    async close() {
      if (closed) return;
      closed = true;
      await updox?.close().catch(() => undefined);
      await Promise.allSettled([db.destroy(), redis.status === 'wait' ? Promise.resolve(redis.disconnect()) : redis.quit()]);
    },
  };
}

/** knex's own warnings (a failed connection attempt, with its stack) go to our log, never to stdout. */
function knexLog(log: Logger): KnexLog {
  const at = (level: 'debug' | 'warn' | 'error') => (message: unknown) => log[level]({ knex: String(message).split('\n')[0] }, 'knex');
  return { debug: at('debug'), warn: at('debug'), error: at('warn'), deprecate: at('debug') };
}

/** Close the app on SIGTERM/SIGINT (graceful shutdown); a second signal exits at once. */
export function closeOnSignals(close: () => Promise<void>, log: Logger): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) process.exit(130);
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(() => process.exit(0), (err) => {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
