/** Builds the knex instance for our Postgres. Only src/app.ts and knexfile.ts call this. */
import knexFactory, { type Knex } from 'knex';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPILED, DIST_DIR, PACKAGE_ROOT } from '../paths';

export type { Knex };

/** The migrations: compiled into dist/migrations (`npm run build`), else the TypeScript sources. */
export const MIGRATIONS_DIR = COMPILED ? path.join(DIST_DIR, 'migrations') : path.join(PACKAGE_ROOT, 'migrations');
const MIGRATION_FILE = COMPILED ? /^\d+_.+\.js$/ : /^\d+_.+\.ts$/;

/** Where knex's own messages go. Its default writes them to stdout with console.log. */
export type KnexLog = NonNullable<Knex.Config['log']>;

/** knex's messages, one line each, on stderr (knexfile and tests; the app passes its logger). */
const STDERR_LOG: KnexLog = {
  warn: (m: unknown) => void process.stderr.write(`knex: ${String(m).split('\n')[0]}\n`),
  error: (m: unknown) => void process.stderr.write(`knex: ${String(m).split('\n')[0]}\n`),
  deprecate: () => undefined,
  debug: () => undefined,
};

/** A new connection gives up after this; a pool slot is waited for up to the acquire timeout. */
export const CONNECT_TIMEOUT_MS = 5_000;

export function knexConfig(databaseUrl: string, pool = { min: 0, max: 10 }, log: KnexLog = STDERR_LOG): Knex.Config {
  return {
    client: 'pg',
    connection: { connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    pool,
    log,
    migrations: { migrationSource: tsMigrationSource(MIGRATIONS_DIR), tableName: 'knex_migrations' },
  };
}

export function createKnex(databaseUrl: string, pool?: { min: number; max: number }, log?: KnexLog): Knex {
  return knexFactory(knexConfig(databaseUrl, pool, log));
}

/** Run forward-only migrations to the latest. Returns the names applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

interface MigrationModule { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }

/**
 * Loads the migrations with this module's own `import()`, not knex's: knex's loader runs as plain
 * Node and cannot import TypeScript under every runner (vitest's globalSetup, for one), while an
 * import from our code goes through whatever loader runs us (tsx, vitest). Compiled, the files
 * are dist/migrations/*.js, but each keeps the name it is recorded under in knex_migrations
 * (`…_initial.ts`), so a database migrated from the sources and one migrated by the image agree.
 */
export function tsMigrationSource(dir: string): Knex.MigrationSource<string> {
  const file = (name: string) => path.join(dir, COMPILED ? name.replace(/\.ts$/, '.js') : name);
  return {
    async getMigrations() {
      return readdirSync(dir).filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.js$/, '.ts')).sort();
    },
    getMigrationName: (name) => name,
    async getMigration(name) {
      return (await import(pathToFileURL(file(name)).href)) as MigrationModule;
    },
  };
}
