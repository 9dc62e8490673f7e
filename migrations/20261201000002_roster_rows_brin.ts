import type { Knex } from 'knex';

/**
 * roster_rows trades its btree on (run_id, external_id) for a BRIN index on run_id. The btree
 * cost Postgres ~1.9 s of CPU per 1,000,000-row COPY (4.0 s of backend CPU with it, 2.1 s
 * without), on a 2-core machine where the import's threads need the other core. Nothing needs
 * it any more: every query reads a whole run (the plan, its anti-joins, the quarantine move are
 * hash joins over the run's rows); duplicate suspects are, with 64-bit fingerprints, in practice
 * only true repeats, and are checked by one scan of the run; reports take a failed create's name
 * and manager from its outbox row. A run's rows are appended together, so a BRIN range (128
 * pages, ~1 MB) holds one or two runs: a run is found without reading the others, for the cost
 * of a few index tuples. autosummarize has autovacuum summarize each range once it is full;
 * until then a range is read by every run's scan (correct, only slower).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS roster_rows_run_external');
  await knex.raw('CREATE INDEX roster_rows_run_brin ON roster_rows USING brin (run_id) WITH (autosummarize = on)');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
