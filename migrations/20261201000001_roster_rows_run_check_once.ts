import type { Knex } from 'knex';

/**
 * roster_rows loses its foreign key to runs. A foreign key checks every row: at the end of an
 * import's COPY, Postgres ran one referential-integrity query per row, 1,000,000 of them (about
 * 7 s, after the whole file had been read). The import now checks the run once instead: it
 * locks the run's row (FOR KEY SHARE, as the foreign key would) before it COPYs, so the run
 * cannot be deleted underneath it. ON DELETE CASCADE is kept by a trigger on runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE roster_rows DROP CONSTRAINT IF EXISTS roster_rows_run_id_foreign');
  await knex.raw(`CREATE FUNCTION runs_delete_roster_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN DELETE FROM roster_rows WHERE run_id = OLD.id; RETURN OLD; END $$`);
  await knex.raw('CREATE TRIGGER runs_delete_roster_rows AFTER DELETE ON runs FOR EACH ROW EXECUTE FUNCTION runs_delete_roster_rows()');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
