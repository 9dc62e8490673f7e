/**
 * A driver error met while a command ran (Postgres or Redis went away, the database was dropped)
 * becomes the same ServiceUnavailableError the pre-start check gives, so it ends with exit 6 and
 * one line, not a stack trace. Which service is told by the error itself or by the port it names.
 */
import { postgresErrorOf, redisUnreachable, ServiceUnavailableError } from '../preflight';
import type { CliContext } from './context';

const portOf = (url: string, fallback: number) => {
  try {
    return Number(new URL(url).port || fallback);
  } catch {
    return fallback;
  }
};

export function asServiceError(err: unknown, ctx: Pick<CliContext, 'envConfig'>): ServiceUnavailableError | null {
  if (err instanceof ServiceUnavailableError) return err;
  let urls: { databaseUrl: string; redisUrl: string };
  try {
    urls = ctx.envConfig();
  } catch {
    return null; // the configuration itself is wrong: that is reported as such
  }
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: string; port?: number; name?: string; message?: string };
    const isRedis = x.name === 'MaxRetriesPerRequestError' || /ioredis|Connection is closed/.test(x.message ?? '')
      || (x.port !== undefined && x.port === portOf(urls.redisUrl, 6379));
    if (isRedis && (x.code || x.name === 'MaxRetriesPerRequestError' || /Connection is closed/.test(x.message ?? ''))) {
      return redisUnreachable(urls.redisUrl, x.code ?? x.message ?? 'connection lost', e);
    }
    if (x.port !== undefined && x.port !== portOf(urls.databaseUrl, 5432)) continue;
    const pg = postgresErrorOf(e, urls.databaseUrl);
    if (pg) return pg;
  }
  return null;
}
