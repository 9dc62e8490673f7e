import type { Knex } from 'knex';

/**
 * Staged roster rows are pruned: an import keeps those of its source's newest `staging.keepRuns`
 * imports (and of every unfinished run) and deletes the rest (src/roster/prune.ts). A pruned run
 * is marked here so that later imports do not look at it again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.timestamp('staged_rows_pruned_at', { useTz: true });
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
