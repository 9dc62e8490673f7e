import type { Knex } from 'knex';

/**
 * Pass-through (issue 14): a save carries every field Updox holds, the ones we do not model
 * included (updox-api.md §3.4). `practices.extra_fields` keeps those fields of our last saved
 * payload verbatim under their wire names, beside the modelled columns, so that the next plan
 * still sends a field a later read does not return. The snapshot side already keeps each read
 * whole in `remote_snapshots.raw`. Forward-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('practices', (t) => {
    t.jsonb('extra_fields'); // null: none known
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
