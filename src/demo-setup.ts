/**
 * The demo's own world, whatever the operator's environment (.env) says: its own database, queue
 * prefix and the bundled config, reports written as .eml files under its state folder and never
 * sent over SMTP, and the simulator instead of Updox. `runDemo` is handed only this environment, so
 * none of the operator's settings (DATABASE_URL, QUEUE_PREFIX, SMTP_URL, UPDOX_*, UPDOX_SYNC_CONFIG)
 * can reach it. Where the demo's own services are can be moved with DEMO_DATABASE_URL,
 * DEMO_REDIS_URL and DEMO_QUEUE_PREFIX.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BadInputError } from './errors';
import { PACKAGE_ROOT } from './paths';

export const DEMO_DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/updox_sync_demo',
  redisUrl: 'redis://127.0.0.1:6379',
  queuePrefix: 'updox-sync-demo',
} as const;

export const BUNDLED_CONFIG = path.join(PACKAGE_ROOT, 'config/example.yaml');

export interface DemoSetup {
  /** The whole environment the demo runs with. */
  env: Record<string, string>;
  /** What the demo says when it starts. */
  notice: string;
}

type Env = Record<string, string | undefined>;

const sameDatabase = (a: string | undefined, b: string) => {
  if (!a) return false;
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname;
  } catch {
    return false;
  }
};

/**
 * Writes the demo's config (the bundled one, with its roster path made absolute and its reports
 * going to `<stateDir>/reports`) and returns the demo's environment. Refuses a DEMO_DATABASE_URL or
 * DEMO_QUEUE_PREFIX that names the operator's own database or prefix.
 */
export function demoSetup(operatorEnv: Env, stateDir: string): DemoSetup {
  const databaseUrl = operatorEnv.DEMO_DATABASE_URL || DEMO_DEFAULTS.databaseUrl;
  const redisUrl = operatorEnv.DEMO_REDIS_URL || DEMO_DEFAULTS.redisUrl;
  const queuePrefix = operatorEnv.DEMO_QUEUE_PREFIX || DEMO_DEFAULTS.queuePrefix;
  if (sameDatabase(operatorEnv.DATABASE_URL, databaseUrl)) {
    throw new BadInputError('DEMO_NOT_ISOLATED', `DEMO_DATABASE_URL names the same database as DATABASE_URL; the demo never touches your database: give it another one`);
  }
  if (operatorEnv.QUEUE_PREFIX && operatorEnv.QUEUE_PREFIX === queuePrefix) {
    throw new BadInputError('DEMO_NOT_ISOLATED', `DEMO_QUEUE_PREFIX is your QUEUE_PREFIX ("${queuePrefix}"); the demo never touches your queues: give it another one`);
  }
  const reportsDir = path.join(stateDir, 'reports');
  const bundled = parseYaml(readFileSync(BUNDLED_CONFIG, 'utf8')) as { sources: Array<{ path?: string }>; reports?: Record<string, unknown> };
  const configDir = path.dirname(BUNDLED_CONFIG);
  const config = {
    ...bundled,
    sources: bundled.sources.map((s) => (s.path ? { ...s, path: path.resolve(configDir, s.path) } : s)),
    reports: { ...bundled.reports, outDir: reportsDir },
  };
  mkdirSync(stateDir, { recursive: true });
  const configFile = path.join(stateDir, 'config.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const env: Record<string, string> = {
    UPDOX_SYNC_CONFIG: configFile,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    UPDOX_REQUESTS_PER_SECOND: '100',
    LOG_LEVEL: operatorEnv.LOG_LEVEL || 'warn',
  };
  const db = new URL(databaseUrl);
  const notice = [
    'demo: runs apart from your own settings (.env and environment are not used):',
    `  database ${db.pathname.slice(1)} at ${db.hostname}:${db.port || 5432} (DEMO_DATABASE_URL), Redis queue prefix "${queuePrefix}" (DEMO_QUEUE_PREFIX)`,
    `  the bundled config ${BUNDLED_CONFIG}, an Updox simulator on loopback, no SMTP: reports go to ${reportsDir}`,
  ].join('\n');
  return { env, notice };
}
