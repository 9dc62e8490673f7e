/**
 * One owner for a run's life: only src/runs/ writes `runs.status`, and every list of run statuses
 * comes from src/runs/status.ts. Reads every source file of src/, jobs/ and bench/ (migrations
 * define the index the module mirrors; tests build fixtures) and fails on a file that writes a
 * run's status or spells a list of run statuses of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINAL_STATUSES, LEASED_STATUSES, LOCKING_STATUSES, RUN_STATUSES } from '../../../src/runs/status';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIRS = ['src', 'jobs', 'bench'];
const OWNER = `src${path.sep}runs${path.sep}`;

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Statuses that only runs have (the outbox shares pending, failed, succeeded, halted, cancelled). */
const RUN_ONLY = RUN_STATUSES.filter((s) => !['pending', 'failed', 'succeeded', 'halted', 'cancelled'].includes(s));

/** Statements that write runs.status: raw SQL, or knex on the runs table. */
export function statusWrites(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/UPDATE\s+runs\b[^;`]*?\bSET\b[^;`]*?\bstatus\s*=/gi)) found.push(m[0].slice(0, 80));
  for (const m of text.matchAll(/INSERT\s+INTO\s+runs\b/gi)) found.push(m[0]);
  for (const m of text.matchAll(/\(\s*'runs'\s*\)[^;]*?\.(?:update|insert)\(\s*\{[^;]*?\bstatus\s*:/g)) found.push(m[0].slice(0, 80));
  return found;
}

/** Lines that spell two or more run statuses (a list of their own), at least one of them a run-only one. */
export function statusLists(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*(export\s+)?type\s/.test(line)) continue; // another domain's string union (e.g. a report recipient's status)
    const quoted = new Set([...line.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!).filter((s) => (RUN_STATUSES as readonly string[]).includes(s)));
    if (quoted.size >= 2 && [...quoted].some((s) => (RUN_ONLY as readonly string[]).includes(s))) out.push(line.trim().slice(0, 100));
  }
  return out;
}

describe('the runs module owns a run\'s status', () => {
  const all = DIRS.flatMap(files).filter((f) => !f.startsWith(OWNER));

  it('finds the files it checks (the scan is not empty)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all).toContain(path.join('src', 'sync', 'apply.ts'));
  });

  it('no file outside src/runs/ writes runs.status', () => {
    const offenders = all.flatMap((f) => statusWrites(readFileSync(path.join(ROOT, f), 'utf8')).map((w) => `${f}: ${w}`));
    expect(offenders).toEqual([]);
  });

  it('no file outside src/runs/ spells a list of run statuses', () => {
    const offenders = all.flatMap((f) => statusLists(readFileSync(path.join(ROOT, f), 'utf8')).map((l) => `${f}: ${l}`));
    expect(offenders).toEqual([]);
  });

  it('catches the shapes it is meant to catch', () => {
    expect(statusWrites("await db('runs').where({ id }).update({ status: 'failed' });")).toHaveLength(1);
    expect(statusWrites("await c.query('UPDATE runs SET plan_stats = $2, status = $3 WHERE id = $1')")).toHaveLength(1);
    expect(statusWrites("await db('runs').where({ id }).update({ import_stats: x });")).toHaveLength(0);
    expect(statusLists("const ACTIVE = ['queued', 'planning', 'planned', 'applying'];")).toHaveLength(1);
    expect(statusLists("if (r.status === 'failed' || r.status === 'halted') failed += n;")).toHaveLength(0);
  });

  it('the groups partition the statuses the way docs/runs.md draws them', () => {
    for (const s of LOCKING_STATUSES) expect(LEASED_STATUSES).toContain(s);
    for (const s of LEASED_STATUSES) expect(FINAL_STATUSES).not.toContain(s);
  });
});
