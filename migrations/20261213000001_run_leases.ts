import type { Knex } from 'knex';

/**
 * Runs get one owner at a time (issue 13, src/runs/): `owner` names the attempt working on the run
 * and `lease_expires_at` how long that claim holds without a renewal; a worker's supervisor takes
 * over a run whose lease expired. `step` is the step the run is in (or last finished), `takeovers`
 * counts supervisor takeovers (bounded), `night` groups a night's flow-driven runs for the partner
 * steps, and `cancelled_*` / `superseded_by` record who or what ended a run.
 *
 * The source lock (`runs_one_active_per_source`) now leaves dry runs out: a dry run sends nothing,
 * so it never blocks a real one (and is never blocked). Its statuses are src/runs/status.ts
 * LOCKING; test/integration/runs/transitions.test.ts checks the two agree. The partner steps run
 * once per partner per night: a second partner run of a night is refused by its own index.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.text('owner');
    t.timestamp('lease_expires_at', { useTz: true });
    t.text('step');
    t.integer('takeovers').notNullable().defaultTo(0);
    t.text('night');
    t.text('cancelled_by');
    t.timestamp('cancelled_at', { useTz: true });
    t.uuid('superseded_by');
    t.timestamp('updated_at', { useTz: true });
  });
  await knex.raw('DROP INDEX IF EXISTS runs_one_active_per_source');
  await knex.raw(`CREATE UNIQUE INDEX runs_one_active_per_source ON runs (kind, coalesce(source, ''))
    WHERE status IN ('queued', 'importing', 'planning', 'applying') AND NOT dry_run`);
  await knex.raw(`CREATE UNIQUE INDEX runs_partner_once_per_night ON runs (partner_id, night)
    WHERE kind = 'partner' AND status <> 'skipped'`);
  // The supervisor's scan: leased runs by lease expiry.
  await knex.raw(`CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE lease_expires_at IS NOT NULL`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
