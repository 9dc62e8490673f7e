/**
 * Bounded checks that Postgres and Redis answer, before a command starts work (and for `doctor`).
 * A service that is down, a database that does not exist or refused credentials become one
 * ServiceUnavailableError each (exit 6): one line naming the service, where, and what to do.
 * Driver errors met later are translated by `serviceErrorOf`, so they end the same way.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { SyncError } from './errors';
import { SECOND } from './time';

/** How long a check waits for a service before calling it unreachable. */
export const PROBE_TIMEOUT_MS = 5 * SECOND;

export type ServiceCode = 'POSTGRES_UNREACHABLE' | 'POSTGRES_DATABASE_MISSING' | 'POSTGRES_AUTH_FAILED' | 'REDIS_UNREACHABLE';

/** Postgres or Redis cannot be used: exit 6 (README "Exit codes"). */
export class ServiceUnavailableError extends SyncError {
  readonly service: 'postgres' | 'redis';
  constructor(service: 'postgres' | 'redis', code: ServiceCode, message: string, opts: { cause?: unknown } = {}) {
    super('retryable', code, message, opts);
    this.service = service;
  }
}

const where = (url: string, defaultPort: number) => {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}`;
  } catch {
    return 'an unparsable URL';
  }
};
const dbName = (url: string) => {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    return '?';
  }
};
const reasonOf = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e.code && /^E[A-Z]+$/.test(e.code) ? e.code : (e.message ?? String(err)).split('\n')[0];
};

const PG_DOWN_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', '57P03']);

/** The ServiceUnavailableError a Postgres driver error means, or null when it means something else. */
export function postgresErrorOf(err: unknown, databaseUrl: string, timeoutMs = PROBE_TIMEOUT_MS): ServiceUnavailableError | null {
  const e = err as { code?: string; message?: string; name?: string };
  const at = where(databaseUrl, 5432);
  if (e?.code === '3D000') {
    return new ServiceUnavailableError('postgres', 'POSTGRES_DATABASE_MISSING',
      `database "${dbName(databaseUrl)}" does not exist on the Postgres at ${at}: run \`updox-sync migrate\` (it creates it), or fix DATABASE_URL`, { cause: err });
  }
  if (e?.code === '28P01' || e?.code === '28000') {
    return new ServiceUnavailableError('postgres', 'POSTGRES_AUTH_FAILED',
      `the Postgres at ${at} refused our credentials (${e.message ?? e.code}): fix the user or password in DATABASE_URL`, { cause: err });
  }
  const timedOut = /timeout expired|Connection terminated due to connection timeout|Timeout acquiring a connection/i.test(e?.message ?? '') || e?.name === 'KnexTimeoutError';
  if ((e?.code && PG_DOWN_CODES.has(e.code)) || timedOut) {
    return new ServiceUnavailableError('postgres', 'POSTGRES_UNREACHABLE',
      `Postgres does not answer at ${at} (${timedOut ? `no answer within ${timeoutMs / SECOND} s` : reasonOf(err)}): start it (\`docker compose up -d postgres\`), or fix DATABASE_URL`, { cause: err });
  }
  return null;
}

/** Connects to the database of `databaseUrl` and runs `select 1`, within `timeoutMs`. */
export async function probePostgres(databaseUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceUnavailableError | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined); // a reset after the check is not this check's business
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return postgresErrorOf(err, databaseUrl, timeoutMs)
      ?? new ServiceUnavailableError('postgres', 'POSTGRES_UNREACHABLE', `Postgres at ${where(databaseUrl, 5432)} cannot be used: ${reasonOf(err)}`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The ServiceUnavailableError of an unreachable Redis. */
export function redisUnreachable(redisUrl: string, reason: string, cause?: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('redis', 'REDIS_UNREACHABLE',
    `Redis does not answer at ${where(redisUrl, 6379)} (${reason}): start it (\`docker compose up -d redis\`), or fix REDIS_URL`, { cause });
}

/** A one-shot connection (no reconnect, no offline queue) that must answer PING within `timeoutMs`. */
export async function withRedisProbe<T>(redisUrl: string, fn: (r: Redis) => Promise<T>, timeoutMs = PROBE_TIMEOUT_MS): Promise<T> {
  const r = new Redis(redisUrl, {
    lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0,
    enableOfflineQueue: false, retryStrategy: () => null, enableReadyCheck: false,
  });
  let lastError: unknown;
  r.on('error', (err) => { lastError = err; });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(redisUnreachable(redisUrl, `no answer within ${timeoutMs / SECOND} s`)), timeoutMs);
  });
  try {
    return await Promise.race([(async () => {
      try {
        await r.connect();
        await r.ping();
      } catch (err) {
        throw redisUnreachable(redisUrl, reasonOf(lastError ?? err), lastError ?? err);
      }
      return fn(r);
    })(), deadline]);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/** Null when Redis answers PING within `timeoutMs`. */
export async function probeRedis(redisUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceUnavailableError | null> {
  try {
    await withRedisProbe(redisUrl, async () => undefined, timeoutMs);
    return null;
  } catch (err) {
    if (err instanceof ServiceUnavailableError) return err;
    return redisUnreachable(redisUrl, reasonOf(err), err);
  }
}
