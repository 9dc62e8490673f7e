import type { Knex } from 'knex';

/**
 * Digests that let the plan set unchanged practices aside without comparing their columns
 * (src/sync/plan-keys-sql.ts):
 * - remote_snapshots.digest: md5 of the row's practice columns, written with the snapshot; null
 *   when PracticeList left a key out (the row is then never "unchanged" by digest);
 * - practices.digest: the snapshot digest of a remote row found equal to this row, column for column;
 * - practices.roster_digest + roster_fields: the digest of the roster row (its managed columns,
 *   the plan's own hash) found equal to this row on those columns, and which columns those were.
 * A digest on `practices` is only ever copied from a row proven equal. The trigger keeps that true:
 * an UPDATE that changes any practice column without setting the digests clears them, so a row
 * written by apply, upgrade or anything else goes through the full merge until a plan proves it
 * equal again.
 */
const FIELDS = ['name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'fax', 'website_url',
  'alternative_website_url', 'website_address', 'time_zone', 'direct_domain', 'direct_address', 'active'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE remote_snapshots ADD COLUMN digest uuid');
  await knex.raw('ALTER TABLE practices ADD COLUMN digest uuid, ADD COLUMN roster_digest bigint, ADD COLUMN roster_fields text');
  const row = (alias: string) => `(${FIELDS.map((f) => `${alias}.${f}`).join(', ')})`;
  await knex.raw(`CREATE FUNCTION practices_clear_digests() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${row('OLD')} IS DISTINCT FROM ${row('NEW')} THEN
        IF NEW.digest IS NOT DISTINCT FROM OLD.digest THEN NEW.digest := NULL; END IF;
        IF NEW.roster_digest IS NOT DISTINCT FROM OLD.roster_digest THEN NEW.roster_digest := NULL; NEW.roster_fields := NULL; END IF;
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER practices_clear_digests BEFORE UPDATE ON practices FOR EACH ROW
    WHEN (OLD.digest IS NOT NULL OR OLD.roster_digest IS NOT NULL) EXECUTE FUNCTION practices_clear_digests()`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
