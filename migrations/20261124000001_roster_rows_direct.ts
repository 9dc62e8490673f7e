import type { Knex } from 'knex';

/**
 * Import COPYs every row straight into roster_rows (no temp table and no second INSERT … SELECT:
 * that move cost a third of the import). Duplicates and invalid rows are found after the COPY,
 * in the same transaction, moved to roster_quarantine and deleted, so a committed import holds
 * only valid, unique rows. Hence: no primary key during the COPY (a duplicate would abort it),
 * nullable ids (an invalid row may lack them), and raw/issues for the rows on their way out.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE roster_rows DROP CONSTRAINT IF EXISTS roster_rows_pkey');
  await knex.raw('ALTER TABLE roster_rows ALTER COLUMN external_id DROP NOT NULL, ALTER COLUMN account_id DROP NOT NULL');
  await knex.raw('ALTER TABLE roster_rows ADD COLUMN raw jsonb, ADD COLUMN issues jsonb');
  await knex.raw('CREATE INDEX roster_rows_run_external ON roster_rows (run_id, external_id)');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
