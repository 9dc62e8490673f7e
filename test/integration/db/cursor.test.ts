import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRows } from '../../../src/db/cursor';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
  await tdb.db.raw('CREATE TABLE stream_probe (id int PRIMARY KEY, label text)');
  await tdb.db.raw(`INSERT INTO stream_probe SELECT g, 'row ' || g FROM generate_series(1, 2500) g`);
});
afterAll(async () => tdb?.drop());

/** The stream's own backend: its state and whether it holds a snapshot (backend_xmin). */
async function streamBackends() {
  const r = await tdb.db.raw(`SELECT state, backend_xmin::text AS xmin FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'FETCH%'`);
  return r.rows as { state: string; xmin: string | null }[];
}

describe('streamRows', () => {
  it('reads every row of one snapshot in pages, holding no transaction between pages', async () => {
    const seen: number[] = [];
    let during: { state: string; xmin: string | null }[] = [];
    for await (const r of streamRows<{ id: number; label: string }>(tdb.db, { sql: 'SELECT id, label FROM stream_probe WHERE id > ? ORDER BY id', bindings: [0] }, 1000)) {
      seen.push(r.id);
      if (r.id === 1500) {
        during = await streamBackends();
        // Changes made while the stream is read are not in it: it reads one snapshot.
        await tdb.db('stream_probe').insert({ id: 9999, label: 'late' });
        await tdb.db('stream_probe').where({ id: 2000 }).delete();
      }
    }
    expect(seen).toHaveLength(2500);
    expect(seen.at(-1)).toBe(2500);
    expect(seen.includes(2000)).toBe(true);
    expect(during).toEqual([{ state: 'idle', xmin: null }]);
  });

  it('gives its connection back when the reader stops early, and again when the query fails', async () => {
    const pool = (tdb.db.client as { pool: { numUsed(): number } }).pool;
    for await (const r of streamRows<{ id: number }>(tdb.db, { sql: 'SELECT id FROM stream_probe ORDER BY id', bindings: [] }, 10)) {
      if (r.id === 15) break;
    }
    expect(pool.numUsed()).toBe(0);
    const failing = streamRows(tdb.db, { sql: 'SELECT id FROM no_such_table', bindings: [] });
    await expect(failing.next()).rejects.toThrow(/no_such_table/);
    expect(pool.numUsed()).toBe(0);
    // The connections are reusable: a later stream on the pool reads normally.
    const ids: number[] = [];
    for await (const r of streamRows<{ id: number }>(tdb.db, { sql: 'SELECT id FROM stream_probe WHERE id <= 3 ORDER BY id', bindings: [] })) ids.push(r.id);
    expect(ids).toEqual([1, 2, 3]);
  });
});
