/** vitest globalSetup for integration tests: migrate a template database once. */
import { createKnex, migrateLatest } from '../../src/db/knex';
import { adminQuery, dbUrl, TEMPLATE_DB } from './pg';

export default async function setup(): Promise<() => Promise<void>> {
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${TEMPLATE_DB}`);
  const db = createKnex(dbUrl(TEMPLATE_DB), { min: 0, max: 1 });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  return async () => {};
}
