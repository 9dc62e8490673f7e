/**
 * snapshotRemote: PracticeList at the start of a run, stored in remote_snapshots for the run (the
 * "remote" side of the three-way diff), each record whole in `raw` (the fields we do not model go
 * back from there in every save). Written through createSnapshotWriter (COPY, fed in batches) on
 * one connection, in one transaction that first drops an earlier snapshot of the same run (a
 * re-run replaces it). Malformed entries are skipped and counted by reason in the run's
 * plan_stats.snapshot; a failed or halted PracticeList, or one with no readable entry at all,
 * fails (or halts) the run: the plan must never run against nothing.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { AppDeps } from '../app';
import { BadInputError, PermanentError } from '../errors';
import { COLUMN_OF, PRACTICE_FIELDS } from '../practice';
import { describeTally, emptyTally, readPracticeEntry, tallySkip, type SkipTally } from '../updox/list-entries';
import type { UpdoxClient, UpdoxPractice } from '../updox/types';
import { fromWire } from './payload';
import { withPgTransaction } from './plan-sql';
import { failRun, getRun, haltRun } from '../runs';

const CHUNK_BYTES = 64 * 1024;
/** Snapshots of this many earlier finished runs per source are kept (for inspection); older ones are dropped. */
export const SNAPSHOTS_KEPT = 3;
const COLS = ['run_id', 'account_id', ...PRACTICE_FIELDS.map((f) => COLUMN_OF[f]), 'vetted', 'raw', 'missing_fields', 'unreadable'];

export interface SnapshotResult {
  practices: number;
  /** List entries skipped (malformed, or repeating an id), counted by reason with examples. */
  skipped: number;
  skippedByReason: SkipTally['byReason'];
  durationMs: number;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
function esc(v: string | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

export async function snapshotRemote(
  deps: Pick<AppDeps, 'db' | 'log'>,
  client: Pick<UpdoxClient, 'practiceList'>,
  runId: string,
): Promise<SnapshotResult> {
  const t0 = performance.now();
  const log = deps.log.child({ runId });
  const run = await getRun(deps.db, runId);
  if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${runId} not found`);
  const res = await client.practiceList();
  if (res.outcome !== 'ok') {
    const halt = res.outcome === 'halt';
    const code = halt ? 'UPDOX_LIST_HALTED' : 'UPDOX_LIST_FAILED';
    const message = `PracticeList failed (${res.outcome}${res.code !== null ? `, code ${res.code}` : ''}${res.httpStatus && res.httpStatus !== 200 ? `, HTTP ${res.httpStatus}` : ''}): ${res.message}; the run was not planned`;
    await endRun(deps, runId, halt, code, message);
    log.error({ code, outcome: res.outcome, vendorCode: res.code }, 'remote snapshot failed');
    throw new PermanentError(code, message, { halt, details: { runId, vendorCode: res.code } });
  }
  const list = res.body?.practiceList;
  if (!Array.isArray(list)) {
    const message = 'PracticeList answered without a practiceList array; the run was not planned';
    await endRun(deps, runId, false, 'UPDOX_LIST_INVALID', message);
    throw new PermanentError('UPDOX_LIST_INVALID', message, { details: { runId } });
  }
  const counts = await withPgTransaction(deps.db, async (c) => {
    await c.query('DELETE FROM remote_snapshots WHERE run_id = $1', [runId]);
    const writer = createSnapshotWriter(c, runId);
    for (let i = 0; i < list.length; i += LIST_BATCH) await writer.write(list.slice(i, i + LIST_BATCH));
    const out = await writer.end();
    // Nothing readable in a non-empty list: planning against it would take every practice for absent.
    if (out.written === 0 && out.skipped.total > 0) return out;
    const snapshot = {
      practices: out.written, skipped: out.skipped.total, skippedByReason: out.skipped.byReason, skippedSamples: out.skipped.samples,
      unreadable: out.unreadable, takenAt: new Date().toISOString(),
    };
    await c.query(`UPDATE runs SET plan_stats = coalesce(plan_stats, '{}'::jsonb) || jsonb_build_object('snapshot', $2::jsonb) WHERE id = $1`,
      [runId, JSON.stringify(snapshot)]);
    return out;
  });
  if (counts.written === 0 && counts.skipped.total > 0) {
    const message = `PracticeList answered ${list.length} entries and none could be read (${describeTally(counts.skipped)}); the run was not planned`;
    await endRun(deps, runId, false, 'UPDOX_LIST_INVALID', message);
    throw new PermanentError('UPDOX_LIST_INVALID', message, { details: { runId, skipped: counts.skipped } });
  }
  // Fresh statistics for the diff's joins; cheap next to the list call.
  await deps.db.raw('ANALYZE remote_snapshots');
  if (run.source) await dropOldSnapshots(deps, run.source, runId);
  const durationMs = Math.round(performance.now() - t0);
  if (counts.skipped.total) log.warn({ skipped: counts.skipped.total, byReason: counts.skipped.byReason, samples: counts.skipped.samples.slice(0, 5) }, 'PracticeList entries skipped');
  log.info({ practices: counts.written, skipped: counts.skipped.total, durationMs }, 'remote snapshot taken');
  return { practices: counts.written, skipped: counts.skipped.total, skippedByReason: counts.skipped.byReason, durationMs };
}

/** PracticeList entries handed to the writer at a time (the reply is one array today; the writer takes any batches). */
const LIST_BATCH = 5_000;

export interface SnapshotWriter {
  /** Reads and COPYs one batch of PracticeList entries (any size, in list order). */
  write(entries: readonly unknown[]): Promise<void>;
  /** Ends the COPY and marks the ids listed twice with different content; returns the counts. */
  end(): Promise<{ written: number; unreadable: number; skipped: SkipTally }>;
}

/**
 * The snapshot's write path, fed in batches: each entry is read on its own (readPracticeEntry),
 * a malformed one is skipped and tallied, one with a readable id but an unusable record is kept
 * as `unreadable` (the plan leaves that practice alone), an id listed again is ignored when the
 * content is the same and makes the practice unreadable when it is not. Rows go to Postgres with
 * COPY in ~64 KB chunks on the caller's connection (inside its transaction).
 */
export function createSnapshotWriter(c: pg.Client, runId: string): SnapshotWriter {
  const copy: Writable = c.query(copyFrom(`COPY remote_snapshots (${COLS.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  done.catch(() => {}); // awaited in end()
  /** id → fingerprint of the entry first seen (0: kept as unreadable). */
  const seen = new Map<string, number>();
  const conflicting = new Set<string>();
  const skipped = emptyTally();
  let written = 0, unreadable = 0, index = 0, buf = '';
  const flush = async () => {
    if (!buf) return;
    const chunk = buf;
    buf = '';
    if (!copy.write(chunk)) await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      copy.once('error', onError);
      copy.once('drain', () => {
        copy.off('error', onError);
        resolve();
      });
    });
  };
  const fail = async (err: unknown): Promise<never> => {
    copy.destroy();
    await done.catch(() => {});
    throw err;
  };
  return {
    async write(entries) {
      try {
        for (const item of entries) {
          const at = index++;
          const r = readPracticeEntry(item);
          const id = r.ok ? r.id : r.skip.id;
          const fp = r.ok ? fingerprint(item) : 0;
          const prev = id === null ? undefined : seen.get(id);
          if (prev !== undefined) {
            const same = r.ok && prev === fp;
            tallySkip(skipped, { index: at, id, reason: same ? 'duplicate' : 'conflicting_duplicate', detail: same ? 'the same entry again' : 'listed again with other content' });
            if (!same && prev !== 0) conflicting.add(id!);
            continue;
          }
          if (!r.ok) {
            tallySkip(skipped, { ...r.skip, index: at });
            if (id === null) continue;
            seen.set(id, 0);
            buf += unreadableLine(runId, id, item, r.skip.reason);
            unreadable++;
          } else {
            seen.set(id!, fp);
            buf += recordLine(runId, r.id, r.entry);
            written++;
          }
          if (buf.length >= CHUNK_BYTES) await flush();
        }
      } catch (err) {
        await fail(err);
      }
    },
    async end() {
      try {
        await flush();
        copy.end();
        await done;
      } catch (err) {
        await fail(err);
      }
      if (conflicting.size) {
        await c.query(`UPDATE remote_snapshots SET unreadable = 'conflicting_duplicate' WHERE run_id = $1 AND account_id = ANY ($2::text[])`, [runId, [...conflicting]]);
        written -= conflicting.size;
        unreadable += conflicting.size;
      }
      return { written, unreadable, skipped };
    },
  };
}

/** 32 bits of the entry's SHA-1: tells a repeated entry from a different one with the same id. */
const fingerprint = (item: unknown): number => createHash('sha1').update(JSON.stringify(item)).digest().readUInt32BE(0) || 1;

function recordLine(runId: string, id: string, p: UpdoxPractice): string {
  const v = fromWire(p);
  let line = `${runId}\t${esc(id)}`;
  for (const f of PRACTICE_FIELDS) line += `\t${esc(v[f])}`;
  // Keys Updox did not return at all are unknown, not empty (the plan lets base stand in).
  const missing = PRACTICE_FIELDS.filter((f) => !(f in p));
  const vt: unknown = p.vetted;
  const vetted = vt === true || vt === 'true' ? true : vt === false || vt === 'false' ? false : null;
  return `${line}\t${esc(vetted)}\t${esc(JSON.stringify(p))}\t${missing.length ? `{${missing.join(',')}}` : '\\N'}\t\\N\n`;
}

function unreadableLine(runId: string, id: string, raw: unknown, reason: string): string {
  let line = `${runId}\t${esc(id)}`;
  for (let i = 0; i < PRACTICE_FIELDS.length; i++) line += '\t\\N';
  return `${line}\t\\N\t${esc(JSON.stringify(raw))}\t\\N\t${esc(reason)}\n`;
}

async function endRun(deps: Pick<AppDeps, 'db'>, runId: string, halt: boolean, code: string, message: string): Promise<void> {
  if (halt) await haltRun(deps.db, runId, message, code);
  else await failRun(deps.db, runId, { code, message });
}

async function dropOldSnapshots(deps: Pick<AppDeps, 'db'>, source: string, runId: string): Promise<void> {
  await deps.db.raw(`DELETE FROM remote_snapshots WHERE run_id IN (
    SELECT id FROM runs WHERE source = ? AND id <> ? AND finished_at IS NOT NULL
    ORDER BY created_at DESC OFFSET ?)`, [source, runId, SNAPSHOTS_KEPT]);
}
