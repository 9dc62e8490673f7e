import type { Knex } from 'knex';

/**
 * Plan (issue 5): the outbox row carries what apply copies into `practices` on success (the
 * roster's source and manager), and which fields the action changes (for dry runs, `run RUN` and
 * reports); the snapshot row says which fields Updox did not report. Forward-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_actions', (t) => {
    t.text('source');
    t.text('manager_email');
    t.specificType('changed_fields', 'text[]'); // fields whose value differs from what Updox has
  });
  await knex.schema.alterTable('remote_snapshots', (t) => {
    // Practice fields whose key PracticeList did not return at all (null: none). The plan then
    // treats the remote value as unknown (base stands in) instead of "cleared in Updox".
    t.specificType('missing_fields', 'text[]');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
