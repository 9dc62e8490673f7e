import type { Knex } from 'knex';

/**
 * The tables of the flow (DESIGN.md "The main flow"). Forward-only: never edit a merged migration,
 * add a new one. Practice fields share one column set across roster_rows, remote_snapshots and
 * practices, so the diff can compare them column for column.
 */
const practiceColumns = (t: Knex.CreateTableBuilder) => {
  t.text('name');
  t.text('address1');
  t.text('address2');
  t.text('city');
  t.text('state');
  t.text('postal');
  t.text('country');
  t.text('phone');
  t.text('fax');
  t.text('website_url');
  t.text('alternative_website_url');
  t.text('website_address');
  t.text('time_zone');
  t.text('direct_domain');
  t.text('direct_address');
  t.boolean('active');
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('kind').notNullable(); // sync | upgrade | numbers | audit | report
    t.text('partner_id').notNullable();
    t.text('source'); // source name, or 'file' for --file
    t.text('status').notNullable().defaultTo('queued');
    t.boolean('dry_run').notNullable().defaultTo(false);
    t.text('trigger').notNullable().defaultTo('cli'); // cli | schedule | demo | test
    t.text('input'); // file path or query description (never a URL with credentials)
    t.specificType('managed_fields', 'text[]'); // roster fields this run's mapping manages
    t.jsonb('import_stats');
    t.jsonb('plan_stats');
    t.jsonb('apply_stats');
    t.text('held_reason');
    t.text('halt_reason');
    t.text('error_code');
    t.text('error_message');
    t.timestamp('approved_at', { useTz: true });
    t.text('approved_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['source', 'created_at']);
  });
  // One run at a time per (kind, source): a second request is recorded as skipped.
  await knex.raw(`CREATE UNIQUE INDEX runs_one_active_per_source ON runs (kind, coalesce(source, ''))
    WHERE status IN ('queued', 'importing', 'planning', 'applying')`);

  await knex.schema.createTable('roster_rows', (t) => {
    t.uuid('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.integer('row_number').notNullable();
    t.text('external_id').notNullable();
    t.text('account_id').notNullable();
    practiceColumns(t);
    t.text('manager_email');
    t.jsonb('warnings');
    t.primary(['run_id', 'external_id']);
  });

  await knex.schema.createTable('roster_quarantine', (t) => {
    t.bigIncrements('id');
    t.uuid('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.integer('row_number').notNullable();
    t.text('external_id');
    t.jsonb('raw').notNullable();
    t.jsonb('issues').notNullable(); // [{ field, value, rule, message }]
    t.index(['run_id']);
  });

  await knex.schema.createTable('remote_snapshots', (t) => {
    t.uuid('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.text('account_id').notNullable();
    practiceColumns(t);
    t.boolean('vetted');
    t.jsonb('raw');
    t.primary(['run_id', 'account_id']);
  });

  await knex.schema.createTable('practices', (t) => {
    t.text('account_id').primary();
    t.text('source');
    t.text('external_id');
    practiceColumns(t);
    t.text('manager_email');
    t.text('api_version'); // '1.1' once saved through PracticeSave/1.1; 'legacy' when adopted un-versioned
    t.uuid('last_run_id');
    t.timestamp('last_saved_at', { useTz: true });
    t.text('last_status'); // succeeded | failed | halted
    t.integer('last_code');
    t.text('last_message');
    t.timestamp('details_insufficient_at', { useTz: true }); // set by a 4039
    t.text('audit_status'); // complete | warnings | incomplete
    t.jsonb('audit_findings');
    t.timestamp('audited_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['source', 'external_id']);
    t.index(['manager_email']);
  });

  await knex.schema.createTable('sync_actions', (t) => {
    t.bigIncrements('id');
    t.uuid('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.text('account_id').notNullable();
    t.text('external_id');
    t.text('op').notNullable(); // create | update | deactivate | reactivate | upgrade
    t.jsonb('payload').notNullable(); // the whole merged record, never credentials
    t.text('payload_hash').notNullable();
    t.text('status').notNullable().defaultTo('pending'); // pending | in_flight | succeeded | failed | halted | cancelled
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
    t.integer('code');
    t.text('message');
    t.jsonb('conflicts'); // [{ field, roster, remote, base, resolved }]
    t.jsonb('flags'); // e.g. ['clears_address', 'clears_website']
    t.text('claimed_by');
    t.timestamp('claimed_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_id', 'account_id']);
    t.index(['run_id', 'status']);
    t.index(['account_id']);
  });

  await knex.schema.createTable('business_detail_audits', (t) => {
    t.bigIncrements('id');
    t.text('account_id').notNullable();
    t.uuid('run_id');
    t.text('status').notNullable();
    t.jsonb('findings').notNullable();
    t.text('findings_hash').notNullable();
    t.timestamp('audited_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'audited_at']);
  });

  await knex.schema.createTable('sms_numbers', (t) => {
    t.bigIncrements('id');
    t.text('account_id').notNullable();
    t.text('number').notNullable();
    t.text('owner_type').notNullable().defaultTo('account'); // account | location | queue
    t.text('owner_id');
    t.text('number_type'); // TOLL_FREE | 10DLC
    t.text('raw_status');
    t.text('status').notNullable(); // normalized: not_started | pending | verified | rejected | update_required | unknown
    t.text('business_details');
    t.timestamp('vendor_updated_at', { useTz: true });
    t.timestamp('status_since', { useTz: true }).notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.boolean('overdue').notNullable().defaultTo(false);
    t.boolean('missing').notNullable().defaultTo(false); // no longer listed by the vendor
    t.unique(['account_id', 'number']);
  });

  await knex.schema.createTable('sms_number_events', (t) => {
    t.bigIncrements('id');
    t.text('account_id').notNullable();
    t.text('number').notNullable();
    t.text('from_status');
    t.text('to_status').notNullable();
    t.text('raw_status');
    t.text('source').notNullable(); // poll | webhook
    t.timestamp('observed_at', { useTz: true }).notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'number', 'observed_at']);
  });

  await knex.schema.createTable('webhook_receipts', (t) => {
    t.text('id').primary(); // event id or nonce: replay protection
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('payload').notNullable();
  });

  await knex.schema.createTable('report_deliveries', (t) => {
    t.bigIncrements('id');
    t.text('recipient').notNullable();
    t.text('kind').notNullable().defaultTo('manager'); // manager | admin
    t.text('period').notNullable(); // e.g. 2026-11-22 or 2026-W47
    t.text('status').notNullable().defaultTo('pending'); // pending | sending | sent | written | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('message_id');
    t.text('path');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.unique(['recipient', 'kind', 'period']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
