/**
 * vitest globalSetup for integration tests: migrate a template database once per test run.
 * The template's name is unique to this run (passed to the test workers through the environment,
 * which forked workers inherit), so several runs on one machine never drop each other's template.
 * Teardown drops it, and a run also sweeps templates left by runs that were killed over an hour ago.
 */
import { randomUUID } from 'node:crypto';
import { createKnex, migrateLatest } from '../../src/db/knex';
import { adminQuery, adminRows, dbUrl, TEMPLATE_PREFIX } from './pg';

async function sweepStaleTemplates(): Promise<void> {
  const rows = await adminRows(
    `SELECT datname FROM pg_database WHERE datname LIKE '${TEMPLATE_PREFIX}%'
       AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
  ).catch(() => []);
  for (const r of rows) await adminQuery(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined);
}

export default async function setup(): Promise<() => Promise<void>> {
  await sweepStaleTemplates();
  const name = `${TEMPLATE_PREFIX}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const db = createKnex(dbUrl(name), { min: 0, max: 1 });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  process.env.TEST_TEMPLATE_DB = name;
  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  };
}
