/**
 * Staging against real Postgres: the duplicate check both ways (only the formatter's suspects, or
 * every row when the fingerprint set gave up), the run checked once instead of by a foreign key,
 * and ON DELETE CASCADE kept by the trigger on runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceSchema, type SourceConfig } from '../../../src/config';
import { createRowFormatter } from '../../../src/roster/copy-rows';
import { createStager } from '../../../src/roster/stage';
import { startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
beforeAll(async () => { t = await startRosterApp(); });
afterAll(async () => { await t?.close(); });

const source = sourceSchema.parse({ name: 's', kind: 'csv', path: 'x' }) as SourceConfig;
const HEADERS = ['id', 'name', 'state'];
const ROWS = [['A', 'One', 'OH'], ['B', 'Two', 'OH'], ['A', 'Three', 'OH'], ['C', '', 'OH'], ['D', 'Four', 'ZZ'], ['E', 'Five', 'TX']];

async function stage(runId: string, checkAll: boolean) {
  const f = createRowFormatter({ runId, headers: HEADERS, index: { externalId: 0, name: 1, state: 2 }, source });
  const stager = await createStager(t.app.deps.db, runId);
  await stager.write(ROWS.map((r, i) => f.line(i + 2, r)).join(''));
  const counts = f.counts;
  const moved = await stager.finish(checkAll ? { ...counts, duplicateSuspects: null } : counts);
  await stager.commit();
  return { counts, moved };
}

describe('staging', () => {
  it.each([['only the suspects', false], ['every row (the fingerprint set gave up)', true]])('moves duplicates and invalid rows out, checking %s', async (_, checkAll) => {
    const runId = await t.newRun();
    const { counts, moved } = await stage(runId, checkAll as boolean);
    expect(counts.duplicateSuspects).toEqual(['A']);
    expect(moved).toEqual({ valid: 2, quarantined: 4 });
    const kept = await t.tdb.db('roster_rows').where({ run_id: runId }).orderBy('row_number').pluck('external_id');
    expect(kept).toEqual(['B', 'E']);
    const q = await t.tdb.db('roster_quarantine').where({ run_id: runId }).orderBy('row_number');
    expect(q.map((r: { row_number: number }) => r.row_number)).toEqual([2, 4, 5, 6]);
    expect(q[0].issues).toEqual([expect.objectContaining({ field: 'externalId', rule: 'duplicate' })]);
  });

  it('resolves a write only once the chunk is on its way, so its buffer can be refilled at once', async () => {
    // The first chunk is written before Postgres has even answered the COPY: pg-copy-streams
    // then only holds it. Refilled as soon as write() resolved, it must still arrive intact.
    const runId = await t.newRun();
    const f = createRowFormatter({ runId, headers: HEADERS, index: { externalId: 0, name: 1, state: 2 }, source });
    const stager = await createStager(t.app.deps.db, runId);
    const chunk = Buffer.from([f.line(2, ['B', 'Two', 'OH']), f.line(3, ['E', 'Five', 'TX'])].join(''));
    await stager.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    chunk.fill('X'); // the format thread would now fill it with the next rows
    await stager.finish({ ...f.counts, duplicateSuspects: [] });
    await stager.commit();
    const kept = await t.tdb.db('roster_rows').where({ run_id: runId }).orderBy('row_number').pluck('name');
    expect(kept).toEqual(['Two', 'Five']);
  });

  it('refuses a run that does not exist (checked once, as the foreign key did per row)', async () => {
    await expect(createStager(t.app.deps.db, '00000000-0000-4000-8000-00000000dead')).rejects.toThrow(/does not exist/);
  });

  it('deleting a run deletes its staged rows (the trigger that replaced ON DELETE CASCADE)', async () => {
    const runId = await t.newRun();
    await stage(runId, false);
    expect(await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '2' }]);
    await t.tdb.db('runs').where({ id: runId }).del();
    expect(await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);
  });
});
