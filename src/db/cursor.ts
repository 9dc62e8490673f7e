/**
 * `streamRows`: a query's rows a page at a time, so a long list (every issue of a report, every
 * account due a number check) is never in memory at once.
 *
 * The query runs in a read-only transaction as a `WITH HOLD` cursor, and the transaction commits
 * at once: Postgres then keeps the result (in memory, spilling to temporary files) for this
 * connection, and the pages are fetched outside any transaction. The rows are those of one
 * snapshot, as with a plain cursor, but no snapshot stays open while the reader works: a numbers
 * pull reads its accounts for as long as it asks (~17 minutes at 1,000,000 practices), and an open
 * transaction would hold back vacuum on every table for that long.
 *
 * The connection is taken from the pool for the stream's life and given back when the rows are
 * read or the reader stops; one whose cursor could not be closed is discarded, not reused.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export interface Sql { sql: string; bindings: unknown[] }

export async function* streamRows<T>(db: Knex, q: Sql, pageSize = 1000): AsyncGenerator<T> {
  const conn = (await db.client.acquireConnection()) as { __knex__disposed?: unknown };
  const on = <R>(sql: string, bindings: readonly unknown[] = []) => db.raw<R>(sql, bindings as Knex.RawBinding[]).connection(conn);
  const cursor = `rows_${randomBytes(6).toString('hex')}`;
  const size = Math.max(1, Math.floor(pageSize));
  let held = false;
  try {
    await on('BEGIN READ ONLY');
    try {
      await on(`DECLARE ${cursor} NO SCROLL CURSOR WITH HOLD FOR ${q.sql}`, q.bindings);
      await on('COMMIT'); // the result is kept from here; the snapshot is released
      held = true;
    } finally {
      if (!held) await on('ROLLBACK').catch(() => undefined);
    }
    for (;;) {
      const { rows } = await on<{ rows: T[] }>(`FETCH ${size} FROM ${cursor}`);
      yield* rows;
      if (rows.length < size) break;
    }
  } finally {
    if (held) {
      try {
        await on(`CLOSE ${cursor}`);
      } catch {
        // The connection is lost, or its cursor is still open: the pool discards it.
        conn.__knex__disposed ??= `cursor ${cursor} could not be closed`;
      }
    }
    await db.client.releaseConnection(conn);
  }
}
