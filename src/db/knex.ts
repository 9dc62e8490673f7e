/** Builds the knex instance for our Postgres. Only src/app.ts and knexfile.ts call this. */
import knexFactory, { type Knex } from 'knex';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type { Knex };

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function knexConfig(databaseUrl: string, pool = { min: 0, max: 10 }): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrl,
    pool,
    migrations: { directory: MIGRATIONS_DIR, extension: 'ts', loadExtensions: ['.ts'], tableName: 'knex_migrations' },
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
