/**
 * A database per test file, cloned from a template migrated once in globalSetup
 * (graphile `createTestDatabase`). Dropped after the file when its tests passed.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createKnex, type Knex } from '../../src/db/knex';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Migrated template databases are named with this prefix (one per test run: global-setup.ts). */
export const TEMPLATE_PREFIX = 'updox_sync_tpl_';
/** The template of this test run, set by global-setup.ts before the workers start. */
export const templateDb = (): string => {
  const name = process.env.TEST_TEMPLATE_DB;
  if (!name) throw new Error('TEST_TEMPLATE_DB is not set: run integration tests through vitest.integration.config.ts (its globalSetup migrates the template)');
  return name;
};

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function adminRows(sql: string): Promise<Record<string, string>[]> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Record<string, string>[];
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `updox_sync_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
  const url = dbUrl(name);
  const db = createKnex(url, { min: 0, max: 6 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
