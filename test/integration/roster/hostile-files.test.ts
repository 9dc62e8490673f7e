/**
 * Inputs that are not regular files, and outputs that would overwrite an input or have no folder:
 * each ends in its named error, with the input's bytes unchanged, nothing staged and no
 * temporary file left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importRoster } from '../../../src/roster/import';
import { loadMappingFile } from '../../../src/roster/mapping-file';
import { assertOutputDir } from '../../../src/safe-files';
import { SyncError } from '../../../src/errors';
import { testEnv } from '../../helpers/env';
import { csvSource, REPO, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
let roster: string;
const ROSTER = 'practice_id,practice_name,phone\nH1,Hill Clinic,614-555-0100\nH2,Bad Phone,555\nH3,Vale Clinic,614-555-0101\n';
const sha = async (f: string) => createHash('sha256').update(await readFile(f)).digest('hex');

beforeAll(async () => {
  t = await startRosterApp();
  dir = await mkdtemp(path.join(tmpdir(), 'hostile-files-'));
  roster = path.join(dir, 'roster.csv');
  await writeFile(roster, ROSTER);
});
afterAll(async () => { await t?.close(); });

async function staged(runId: string): Promise<number> {
  const [r] = await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  const [q] = await t.tdb.db('roster_quarantine').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  return Number(r!.n) + Number(q!.n);
}

/** importRoster fails with `code`; nothing staged; `keep` files unchanged; no temp file in `dir`. */
/** A FIFO named `name` in the test folder. */
function mkfifo(name: string): string {
  const fifo = path.join(dir, name);
  execFileSync('mkfifo', [fifo]);
  return fifo;
}

async function fails(code: string, opts: { file?: string; path?: string; errorsOut?: string; inputs?: string[] }, keep: string[] = [roster]) {
  const before = await Promise.all(keep.map(sha));
  const runId = await t.newRun();
  const { file, path: p, ...rest } = opts;
  const err = await importRoster(t.app.deps, { runId, source: csvSource({ path: p ?? file ?? roster, maxInvalidShare: 1 }), ...(file ? { file } : {}), ...rest }).then(() => null, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeInstanceOf(SyncError);
  expect((err as SyncError).code, (err as Error).message).toBe(code);
  expect(await staged(runId)).toBe(0);
  expect(await Promise.all(keep.map(sha))).toEqual(before);
  expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return err as SyncError;
}

describe('an input must be a regular file', () => {
  it('a FIFO is named, not read (reading one would block forever)', async () => {
    const fifo = mkfifo('roster.fifo');
    const e = await fails('IMPORT_NOT_A_FILE', { file: fifo });
    expect(e.message).toMatch(/FIFO/);
    // The next import is not blocked by a run left behind.
    const r = await importRoster(t.app.deps, { runId: await t.newRun(), source: csvSource({ path: roster, maxInvalidShare: 1 }) });
    expect(r.stats.read).toBe(3);
  });
  it('a character device', async () => {
    expect((await fails('IMPORT_NOT_A_FILE', { file: '/dev/null' })).message).toMatch(/character device/);
  });
  it('a directory given as --file', async () => {
    expect((await fails('IMPORT_NOT_A_FILE', { file: dir })).message).toMatch(/directory/);
  });
  it('a configured path that is a FIFO', async () => {
    const fifo = mkfifo('configured.fifo');
    await fails('IMPORT_NOT_A_FILE', { path: fifo });
  });
  it('a mapping file that is a FIFO or a directory', async () => {
    const fifo = mkfifo('mapping.fifo');
    await expect(loadMappingFile(fifo)).rejects.toMatchObject({ code: 'IMPORT_MAPPING_INVALID', message: expect.stringMatching(/FIFO/) });
    await expect(loadMappingFile(dir)).rejects.toMatchObject({ code: 'IMPORT_MAPPING_INVALID' });
    await expect(loadMappingFile(path.join(dir, 'none.yaml'))).rejects.toMatchObject({ code: 'IMPORT_MAPPING_NOT_FOUND' });
  });
});

describe('--errors never overwrites an input and needs its folder', () => {
  it('the roster itself', async () => {
    expect((await fails('OUTPUT_IS_INPUT', { errorsOut: roster })).message).toMatch(/--errors .* is an input/);
  });
  it('the roster through a relative path with ..', async () => {
    await fails('OUTPUT_IS_INPUT', { errorsOut: path.join(dir, '..', path.basename(dir), 'roster.csv') });
  });
  it('a symlink to the roster', async () => {
    const ln = path.join(dir, 'roster-link.csv');
    await symlink(roster, ln);
    await fails('OUTPUT_IS_INPUT', { errorsOut: ln });
  });
  it('a hard link to the roster', async () => {
    const hl = path.join(dir, 'roster-hard.csv');
    await link(roster, hl);
    await fails('OUTPUT_IS_INPUT', { errorsOut: hl }, [roster, hl]);
  });
  it('the mapping file', async () => {
    const m = path.join(dir, 'map.yaml');
    await writeFile(m, 'externalId: practice_id\nname: practice_name\n');
    await fails('OUTPUT_IS_INPUT', { errorsOut: m, inputs: [m] }, [roster, m]);
  });
  it('the config file', async () => {
    const cfg = t.app.deps.config.configFile;
    await fails('OUTPUT_IS_INPUT', { errorsOut: cfg }, [roster, cfg]);
  });
  it('a folder that does not exist', async () => {
    expect((await fails('OUTPUT_DIR_MISSING', { errorsOut: path.join(dir, 'no-such-dir', 'e.csv') })).message).toMatch(/does not exist/);
  });
  it('a path whose folder is a file', async () => {
    await fails('OUTPUT_DIR_MISSING', { errorsOut: path.join(roster, 'e.csv') });
  });
  it('a directory as the output', async () => {
    await fails('OUTPUT_NOT_A_FILE', { errorsOut: dir });
  });
  it('a FIFO as the output', async () => {
    const fifo = mkfifo('out.fifo');
    await fails('OUTPUT_NOT_A_FILE', { errorsOut: fifo });
  });
  it('a good path is written through a temporary file and replaces an older errors file', async () => {
    const out = path.join(dir, 'errors.csv');
    await writeFile(out, 'old content\n');
    const r = await importRoster(t.app.deps, { runId: await t.newRun(), source: csvSource({ path: roster, maxInvalidShare: 1 }), errorsOut: out });
    expect(r.stats).toMatchObject({ read: 3, quarantined: 1 });
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/^\ufeffrow_number,external_id,reasons/);
    expect(text).toMatch(/H2/);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(roster, 'utf8')).toBe(ROSTER);
  });
});

describe('report --out', () => {
  it('a missing folder or a file is named', async () => {
    await expect(assertOutputDir(path.join(dir, 'nope'), '--out')).rejects.toMatchObject({ code: 'OUTPUT_DIR_MISSING' });
    await expect(assertOutputDir(roster, '--out')).rejects.toMatchObject({ code: 'OUTPUT_DIR_MISSING', message: expect.stringMatching(/not a folder/) });
    expect(await assertOutputDir(dir, '--out')).toBe(dir);
  });
});

describe('import as a subprocess', () => {
  it('an import already active for the source is a named error (RUN_IN_PROGRESS), not a unique-index stack trace', async () => {
    await t.tdb.db('runs').insert({ kind: 'import', partner_id: 'test-partner', source: 'file', status: 'importing', trigger: 'test' });
    const res = spawnSync(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'test/integration/http/run-command.ts'), 'import', 'import', '--file', roster], {
      env: { ...process.env, ...testEnv({ DATABASE_URL: t.tdb.url }) }, encoding: 'utf8', timeout: 60_000,
    });
    expect(res.stderr).toMatch(/error \[RUN_IN_PROGRESS\]: /);
    expect(res.stderr).not.toMatch(/runs_one_active_per_source|at .*\.ts:\d+/);
    expect(res.status).toBe(1);
    expect(await readFile(roster, 'utf8')).toBe(ROSTER);
  });
});
