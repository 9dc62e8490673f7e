import type { Knex } from 'knex';

/**
 * Apply (issue 5): claim leases on the outbox. A worker claims rows by setting `claimed_by`,
 * `claimed_at` and `lease_expires_at`, and renews the lease while it works; a row whose lease
 * expired (its worker was killed) is claimable again. `needs_reconcile` marks a row whose write
 * may have reached Updox without us reading the reply (an ambiguous outcome, or a row found
 * in flight after a crash): the next attempt asks PracticeGet before writing again.
 * Forward-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_actions', (t) => {
    t.timestamp('lease_expires_at', { useTz: true });
    t.boolean('needs_reconcile').notNullable().defaultTo(false);
    t.integer('reconciles').notNullable().defaultTo(0); // PracticeGet calls made for this row
  });
  // The claim query scans only unfinished rows of one run, in id order.
  await knex.raw(`CREATE INDEX sync_actions_claimable ON sync_actions (run_id, id)
    WHERE status IN ('pending', 'in_flight')`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
