import type { Knex } from 'knex';

/**
 * Report delivery bookkeeping (src/reports/deliveries.ts): a lease so a worker that died while
 * sending does not block the report forever, who holds it, and which transport delivered it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('report_deliveries', (t) => {
    t.timestamp('lease_until', { useTz: true });
    t.text('claimed_by');
    t.text('transport'); // smtp | eml
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['recipient', 'kind', 'created_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
