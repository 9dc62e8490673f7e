/**
 * `updox-sync doctor`'s checks, each bounded in time and each answering for itself (one that
 * cannot be made because another failed is skipped, not hung on): the configuration; Postgres
 * reachable and migrated; Redis reachable, `noeviction`, persistence; Updox reachable with these
 * credentials (PingWithApplicationAuth) and SMS activated for them (4015); SMTP; each partner
 * database (a read-only connection); the webhook secret.
 */
import nodemailer from 'nodemailer';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, sourceDbUrl, type Config, type DbSourceConfig } from '../config';
import { ConfigError } from '../errors';
import { createLogger } from '../log';
import { MIGRATIONS_DIR, tsMigrationSource } from '../db/knex';
import { probePostgres, PROBE_TIMEOUT_MS, withRedisProbe } from '../preflight';
import { readMysql, readPostgres } from '../roster/db-source';
import { createUpdoxClient } from '../updox/client';
import type { CheckResult } from './check';

type Env = Record<string, string | undefined>;
const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });
const warn = (check: string, detail: string): CheckResult => ({ check, status: 'warn', detail });
const fail = (check: string, detail: string): CheckResult => ({ check, status: 'fail', detail });
const skip = (check: string, detail: string): CheckResult => ({ check, status: 'skip', detail });
const firstLine = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0]!;

export async function runChecks(env: Env, overrides: Env = {}): Promise<CheckResult[]> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) return [fail('config', err.problems.join('; '))];
    throw err;
  }
  const results: CheckResult[] = [ok('config', `${config.configFile}: ${config.sources.length} source(s)`)];
  const [postgres, redis] = await Promise.all([checkPostgres(config.databaseUrl), checkRedis(config.redisUrl)]);
  results.push(...postgres, ...redis);
  const redisUp = redis[0]?.status === 'ok';
  results.push(...(await checkUpdox(config, redisUp)));
  results.push(await checkSmtp(config));
  for (const s of config.sources) if (s.kind === 'db') results.push(await checkPartnerDb(s, env));
  results.push(config.http.webhookSecret
    ? ok('webhook secret', `set (${config.http.webhookAuth ?? 'hmac'})`)
    : warn('webhook secret', 'WEBHOOK_SECRET not set: the verification webhook answers 503 to every event'));
  return results;
}

async function checkPostgres(databaseUrl: string): Promise<CheckResult[]> {
  const problem = await probePostgres(databaseUrl);
  if (problem) return [fail('postgres', problem.message), skip('migrations', 'Postgres cannot be used')];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const version = (await client.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v')).rows[0]?.v ?? '?';
    const known = await tsMigrationSource(MIGRATIONS_DIR).getMigrations([]);
    let applied: string[] = [];
    try {
      applied = (await client.query<{ name: string }>('SELECT name FROM knex_migrations')).rows.map((r) => r.name);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P01') throw err; // 42P01: never migrated
    }
    const pending = known.filter((m) => !applied.includes(m));
    const unknown = applied.filter((m) => !known.includes(m));
    const where = `${new URL(databaseUrl).hostname}/${new URL(databaseUrl).pathname.slice(1)}`;
    return [
      ok('postgres', `${where} answers (PostgreSQL ${version})`),
      pending.length
        ? fail('migrations', `${pending.length} of ${known.length} not applied (${pending[0]}…): run \`updox-sync migrate\``)
        : unknown.length
          ? warn('migrations', `all ${known.length} applied; the database also has ${unknown.length} this version does not know (${unknown[0]}…): a newer version migrated it`)
          : ok('migrations', `all ${known.length} applied`),
    ];
  } catch (err) {
    return [ok('postgres', 'answers'), fail('migrations', `cannot read knex_migrations: ${firstLine(err)}`)];
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(redisUrl: string): Promise<CheckResult[]> {
  try {
    return await withRedisProbe(redisUrl, async (r) => {
      const info = `${await r.info('server')}\n${await r.info('memory')}\n${await r.info('persistence')}`;
      const field = (k: string) => new RegExp(`^${k}:(.*)$`, 'm').exec(info)?.[1]?.trim();
      const policy = field('maxmemory_policy');
      const aof = field('aof_enabled') === '1';
      const save = await r.config('GET', 'save').then((v) => String((v as string[])[1] ?? ''), () => undefined);
      const rdb = save !== undefined && save.trim() !== '';
      return [
        ok('redis', `${new URL(redisUrl).host} answers (Redis ${field('redis_version') ?? '?'})`),
        policy === 'noeviction'
          ? ok('redis eviction', 'maxmemory-policy noeviction')
          : fail('redis eviction', `maxmemory-policy is ${policy ?? 'unknown'}: set noeviction, or Redis may evict queue keys (work lost or done twice)`),
        aof || rdb
          ? ok('redis persistence', aof ? 'AOF on' : `RDB snapshots (save ${save})`)
          : warn('redis persistence', 'neither AOF nor RDB snapshots: a Redis restart drops the queues and schedules (no data: they are restored, but work waits until then)'),
      ];
    });
  } catch (err) {
    return [fail('redis', firstLine(err)), skip('redis eviction', 'Redis cannot be used'), skip('redis persistence', 'Redis cannot be used')];
  }
}

/** One ping and one SMS call, each a single attempt with a short timeout. */
async function checkUpdox(config: Readonly<Config>, redisUp: boolean): Promise<CheckResult[]> {
  const missing = (['baseUrl', 'applicationId', 'applicationPassword'] as const).filter((k) => !config.updox[k]);
  if (missing.length) {
    return [fail('updox', `not configured: ${missing.map((k) => ({ baseUrl: 'UPDOX_BASE_URL', applicationId: 'UPDOX_APPLICATION_ID', applicationPassword: 'UPDOX_APPLICATION_PASSWORD' })[k]).join(', ')} not set`), skip('sms activation', 'Updox not configured')];
  }
  if (!redisUp) return [skip('updox', 'needs Redis (the shared rate limiter)'), skip('sms activation', 'needs Redis (the shared rate limiter)')];
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  const log = createLogger({ level: 'silent' });
  const client = createUpdoxClient({ ...config.updox, maxRetries: 0, timeoutMs: Math.min(config.updox.timeoutMs, 10_000) }, { redis, log, limiterKey: `${config.queuePrefix}:updox-limiter` });
  try {
    const ping = await client.ping('application');
    const host = new URL(config.updox.baseUrl!).host;
    if (ping.outcome !== 'ok') {
      const what = ping.outcome === 'halt' ? 'refused these credentials' : 'did not answer as expected';
      return [fail('updox', `${host} ${what}: ${ping.code ?? ping.httpStatus ?? ''} ${ping.message}`.trim()), skip('sms activation', 'PingWithApplicationAuth failed')];
    }
    const results = [ok('updox', `${host}: PingWithApplicationAuth ok for application ${config.updox.applicationId}`)];
    results.push(await checkSms(config, client));
    return results;
  } finally {
    await client.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** SmsSendNumberList for one of our practices: 4015 means SMS is not activated for these credentials. */
async function checkSms(config: Readonly<Config>, client: ReturnType<typeof createUpdoxClient>): Promise<CheckResult> {
  const db = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  db.on('error', () => undefined);
  let accountId: string | undefined;
  try {
    await db.connect();
    accountId = (await db.query<{ account_id: string }>("SELECT account_id FROM practices WHERE active ORDER BY account_id LIMIT 1")).rows[0]?.account_id;
  } catch {
    return skip('sms activation', 'needs a practice from Postgres to ask about');
  } finally {
    await db.end().catch(() => undefined);
  }
  if (!accountId) return skip('sms activation', 'no practice saved yet to ask SmsSendNumberList about');
  const r = await client.smsSendNumberList(accountId);
  if (r.code === 4015) return fail('sms activation', `4015: the SMS API is not enabled for application ${config.updox.applicationId}: ask Updox to activate SMS for these credentials`);
  if (r.outcome === 'ok') return ok('sms activation', `SmsSendNumberList answers for ${accountId}`);
  return warn('sms activation', `SmsSendNumberList for ${accountId}: ${r.code ?? r.httpStatus ?? ''} ${r.message}`.trim());
}

async function checkSmtp(config: Readonly<Config>): Promise<CheckResult> {
  if (!config.smtp.url) return ok('smtp', `SMTP_URL not set: reports are written as .eml files to ${config.reports.outDir}`);
  const transport = nodemailer.createTransport(config.smtp.url, { connectionTimeout: PROBE_TIMEOUT_MS, greetingTimeout: PROBE_TIMEOUT_MS, socketTimeout: PROBE_TIMEOUT_MS });
  try {
    await transport.verify();
    return ok('smtp', `${new URL(config.smtp.url).host} accepts us`);
  } catch (err) {
    return fail('smtp', `${safeHost(config.smtp.url)}: ${firstLine(err)}`);
  } finally {
    transport.close();
  }
}

const safeHost = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'SMTP_URL';
  }
};

async function checkPartnerDb(source: DbSourceConfig, env: Env): Promise<CheckResult> {
  const name = `source ${source.name}`;
  let url: string;
  try {
    url = sourceDbUrl(source, env);
  } catch (err) {
    return fail(name, err instanceof ConfigError ? err.problems.join('; ') : firstLine(err));
  }
  const opts = { statementTimeoutMs: Math.min(source.statementTimeoutMs, 10_000), connectTimeoutMs: Math.min(source.connectTimeoutMs, PROBE_TIMEOUT_MS) };
  try {
    const read = source.client === 'pg' ? await readPostgres(url, 'SELECT 1 AS ok', opts) : await readMysql(url, 'SELECT 1 AS ok', opts, ['ok']);
    await read.close();
    return ok(name, `${source.client} at ${safeHost(url)}: read-only connection ok (${source.urlEnv})`);
  } catch (err) {
    return fail(name, `${source.client} at ${safeHost(url)} (${source.urlEnv}): ${firstLine(err).replace(url, source.urlEnv)}`);
  }
}
