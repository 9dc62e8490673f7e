/**
 * `streamRows`: a query's rows a page at a time, through a server-side cursor in a read-only
 * transaction (one pool connection, held until the rows are read or the reader stops), so a long
 * list (every issue of a report, every account due a number check) is never in memory at once.
 */
import type { Knex } from 'knex';

export interface Sql { sql: string; bindings: unknown[] }

export async function* streamRows<T>(db: Knex, q: Sql, pageSize = 1000): AsyncGenerator<T> {
  const trx = await db.transaction(undefined, { readOnly: true });
  try {
    await trx.raw(`DECLARE rows_cursor NO SCROLL CURSOR FOR ${q.sql}`, q.bindings as Knex.RawBinding[]);
    for (;;) {
      const { rows } = await trx.raw<{ rows: T[] }>(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM rows_cursor`);
      yield* rows;
      if (rows.length < pageSize) break;
    }
    await trx.raw('CLOSE rows_cursor');
    await trx.commit();
  } catch (err) {
    await trx.rollback().catch(() => undefined);
    throw err;
  } finally {
    if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }
}
