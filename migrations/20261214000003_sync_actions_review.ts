import type { Knex } from 'knex';

/**
 * Lost replies (issue 14): a write whose reply was lost and whose outcome neither PracticeGet nor
 * PracticeList could settle ends `needs_review` (a final outbox status, never a silent failure),
 * with what each look found in `evidence` (the last write's outcome, PracticeGet's and
 * PracticeList's answers), shown by `run RUN` and the admin report. Forward-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_actions', (t) => {
    t.jsonb('evidence');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
