import type { Knex } from 'knex';

/**
 * Alerts (src/alerts/): one row per event and channel. The unique (event_key, channel) is what
 * makes an alert go out once however many workers notice the event; the row's status is the
 * truth about its delivery (pending → sending → sent, or failed after its attempts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id');
    t.text('event_key').notNullable();
    t.text('channel').notNullable(); // webhook | email
    t.text('kind').notNullable(); // run_failed | run_halted | run_held | actions_need_review | report_failed
    t.text('text').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('claimed_until', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.unique(['event_key', 'channel']);
    t.index(['status', 'next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('alerts');
}
