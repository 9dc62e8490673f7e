/** Builds the knex instance for our Postgres. Only src/app.ts and knexfile.ts call this. */
import knexFactory, { type Knex } from 'knex';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type { Knex };

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function knexConfig(databaseUrl: string, pool = { min: 0, max: 10 }): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrl,
    pool,
    migrations: { migrationSource: tsMigrationSource(MIGRATIONS_DIR), tableName: 'knex_migrations' },
  };
}

export function createKnex(databaseUrl: string, pool?: { min: number; max: number }): Knex {
  return knexFactory(knexConfig(databaseUrl, pool));
}

/** Run forward-only migrations to the latest. Returns the names applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

interface MigrationModule { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }

/**
 * Loads the .ts migrations with this module's own `import()`, not knex's: knex's loader runs as
 * plain Node and cannot import TypeScript under every runner (vitest's globalSetup, for one),
 * while an import from our code goes through whatever loader runs us (tsx, vitest).
 */
export function tsMigrationSource(dir: string): Knex.MigrationSource<string> {
  return {
    async getMigrations() {
      return readdirSync(dir).filter((f) => /^\d+_.+\.ts$/.test(f) && !f.endsWith('.d.ts')).sort();
    },
    getMigrationName: (name) => name,
    async getMigration(name) {
      return (await import(pathToFileURL(path.join(dir, name)).href)) as MigrationModule;
    },
  };
}
