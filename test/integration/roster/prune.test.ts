/**
 * Staged-row retention: after an import, its source keeps the staged rows of its newest
 * `staging.keepRuns` imports and of every unfinished run; older finished imports lose theirs,
 * once (the run is marked), and nothing of another source is touched.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importRoster } from '../../../src/roster/import';
import { csvSource, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
beforeAll(async () => {
  t = await startRosterApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'prune-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A run of `source` created `daysAgo` days ago, with `n` staged rows, as an earlier import left it. */
async function pastRun(source: string, status: string, daysAgo: number, n = 3): Promise<string> {
  const db = t.tdb.db;
  const [row] = await db('runs').insert({
    kind: 'sync', partner_id: 'test-partner', source, status, trigger: 'test',
    import_stats: JSON.stringify({ read: n, valid: n, quarantined: 0 }), created_at: db.raw(`now() - make_interval(days => ?)`, [daysAgo]),
  }).returning('id');
  const id = (row as { id: string }).id;
  await db('roster_rows').insert(Array.from({ length: n }, (_, i) => ({ run_id: id, row_number: i + 2, external_id: `E${i}`, account_id: `a-${i}`, name: `P ${i}` })));
  return id;
}

const staged = async (runId: string) => Number((await t.tdb.db('roster_rows').where({ run_id: runId }).count('* as n').first())!.n);
const prunedAt = async (runId: string) => (await t.tdb.db('runs').where({ id: runId }).first('staged_rows_pruned_at'))!.staged_rows_pruned_at as Date | null;

it('keeps the newest imports of the source and every unfinished run, and prunes each older one once', async () => {
  const db = t.tdb.db;
  const oldest = await pastRun('nightly', 'succeeded', 9);
  const held = await pastRun('nightly', 'held', 8);
  const failed = await pastRun('nightly', 'failed', 7);
  const older = await pastRun('nightly', 'completed_with_errors', 6);
  const newer = await pastRun('nightly', 'succeeded', 5);
  const other = await pastRun('other-source', 'succeeded', 30);
  const file = path.join(dir, 'r.csv');
  await writeFile(file, 'practice_id,practice_name,state\nN1,New Practice,OH\nN2,Another Practice,PA\n');
  const deps = { ...t.app.deps, config: { ...t.app.deps.config, staging: { keepRuns: 2 } } };
  const importAs = async () => {
    const [row] = await db('runs').insert({ kind: 'sync', partner_id: 'test-partner', source: 'nightly', status: 'importing', trigger: 'test' }).returning('id');
    const runId = (row as { id: string }).id;
    await importRoster(deps, { runId, source: csvSource({ path: file, name: 'nightly' }) });
    await db('runs').where({ id: runId }).update({ status: 'succeeded' });
    return runId;
  };

  const first = await importAs();
  // Kept: this import and the newest before it (keepRuns 2), the held run, the other source.
  expect(await staged(first)).toBe(2);
  expect(await staged(newer)).toBe(3);
  expect(await staged(held)).toBe(3);
  expect(await staged(other)).toBe(3);
  for (const id of [oldest, failed, older]) {
    expect(await staged(id)).toBe(0);
    expect(await prunedAt(id)).toBeInstanceOf(Date);
  }
  expect(await prunedAt(newer)).toBeNull();
  expect(await db('runs').where({ id: older }).first('import_stats')).toMatchObject({ import_stats: { read: 3 } }); // counts stay
  const firstPrunedAt = (await prunedAt(oldest))!.getTime();

  const second = await importAs();
  expect(await staged(second)).toBe(2);
  expect(await staged(first)).toBe(2);
  expect(await staged(newer)).toBe(0);
  expect(await prunedAt(newer)).toBeInstanceOf(Date);
  expect(await staged(held)).toBe(3);
  expect((await prunedAt(oldest))!.getTime()).toBe(firstPrunedAt); // not looked at again
});
