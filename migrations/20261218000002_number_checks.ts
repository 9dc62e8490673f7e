import type { Knex } from 'knex';

/**
 * When each account's SMS numbers were last checked (SmsSendNumberList) and when they are due
 * again (src/sms/next-check.ts). The nightly pull asks the most urgent accounts first and stops at
 * its budget (src/sms/number-checks.ts); `numbers` and the report read freshness from here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('number_checks', (t) => {
    t.text('account_id').primary();
    t.timestamp('checked_at', { useTz: true });
    t.timestamp('next_check_at', { useTz: true }).notNullable();
    // pending | verified | no_numbers | refused | failed | webhook
    t.text('reason').notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.index(['next_check_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
