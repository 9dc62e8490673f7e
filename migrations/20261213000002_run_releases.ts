import type { Knex } from 'knex';

/**
 * How many times an operator released a run (`approve`, `resume`). Each release starts a new
 * generation of the run's jobs, as a takeover does (`takeovers` counts both, and tags the job ids);
 * the supervisor's limit on takeovers counts only the takeovers, `takeovers - releases`, so an
 * operator's approvals never use it up.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.integer('releases').notNullable().defaultTo(0);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
