import type { Knex } from 'knex';

/**
 * Tolerant PracticeList (issue 14): an entry whose id is readable but whose record is not (a
 * field of the wrong JSON type, or the id listed twice with different content) is kept in the
 * snapshot with the reason in `unreadable`, so that the plan neither writes that practice from a
 * record it cannot trust nor takes it for absent from Updox. Null: the entry was read. Forward-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('remote_snapshots', (t) => {
    t.text('unreadable');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
