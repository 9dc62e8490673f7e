/**
 * snapshotRemote: PracticeList at the start of a run, stored in remote_snapshots for the run (the
 * "remote" side of the three-way diff), each record whole in `raw` (the fields we do not model go
 * back from there in every save). The reply is streamed: parsed as it arrives, each entry read on
 * its own (readPracticeEntry) and COPYed in batches (snapshot-writer.ts) on one connection, in one
 * transaction that first drops an earlier snapshot of the same run (a re-run replaces it); each
 * attempt of the call runs in a savepoint, so a retry starts from an empty snapshot. Memory does
 * not grow with the list. Malformed entries are skipped and counted by reason in the run's
 * plan_stats.snapshot; a failed or halted PracticeList, or one with no readable entry at all,
 * fails (or halts) the run: the plan must never run against nothing.
 */
import { createHash } from 'node:crypto';
import type { AppDeps } from '../app';
import { canonical } from '../canonical-json';
import { BadInputError, PermanentError } from '../errors';
import { COLUMN_OF, PRACTICE_FIELDS, type PracticeField, type PracticeValues } from '../practice';
import { describeTally, readPracticeEntry, type SkipTally } from '../updox/list-entries';
import type { CallResult, ListSink, UpdoxClient, UpdoxPractice } from '../updox/types';
import { fromWire, MODELLED_WIRE_KEYS } from './payload';
import { withPgTransaction } from './plan-sql';
import { failRun, getRun, haltRun } from '../runs';
import { createSnapshotWriter, type SnapshotCounts, type SnapshotEntry, type SnapshotWriter } from './snapshot-writer';
/** Snapshots of this many earlier finished runs per source are kept (for inspection); older ones are dropped. */
export const SNAPSHOTS_KEPT = 3;
const COLS = ['run_id', 'account_id', ...PRACTICE_FIELDS.map((f) => COLUMN_OF[f]), 'vetted', 'raw', 'missing_fields', 'digest', 'unreadable'];

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

const MODELLED = new Set(MODELLED_WIRE_KEYS);

/**
 * The plan's remote digest of one snapshot row (a uuid: md5; src/sync/plan-keys-sql.ts), over the
 * whole record as read: the practice columns as stored, the keys the read left out (unknown, not
 * empty: the plan lets base stand in for them) and every field we do not model (`metadata`,
 * `practiceNpi`, unknown keys; `record`'s keys other than the modelled ones). So a row is set
 * aside as unchanged only when Updox holds exactly the record the last plan proved equal; a
 * change to any field, modelled or not, sends it through the field-level merge, which decides
 * (an unmodelled field alone makes no write). Only ever compared with digests copied from
 * snapshot rows.
 */
export function remoteDigest(v: PracticeValues, missing: readonly PracticeField[] = [], record: Record<string, unknown> = {}): string {
  // The columns are flat (text, boolean, null): plain JSON; the extras with their keys sorted.
  let text = `${JSON.stringify(PRACTICE_FIELDS.map((f) => v[f] ?? null))}\n${[...missing].sort().join(',')}\n`;
  for (const k of Object.keys(record).sort()) {
    if (!MODELLED.has(k) && record[k] !== undefined) text += `${JSON.stringify(k)}:${canonical(record[k])},`;
  }
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * One list entry as the snapshot writer takes it: read with readPracticeEntry (a numeric id as its
 * string); a readable record as its COPY line, with its digest; a readable id with an unusable
 * record as an unreadable line (no practice columns, no digest: the plan leaves it alone); no
 * usable id at all as a skip.
 */
function entryOf(runId: string, item: unknown): SnapshotEntry {
  const r = readPracticeEntry(item);
  if (!r.ok) {
    if (r.skip.id === null) return { id: null, skip: r.skip };
    const raw = JSON.stringify(item);
    let line = `${runId}\t${esc(r.skip.id)}`;
    for (let i = 0; i < PRACTICE_FIELDS.length; i++) line += '\t\\N';
    return { id: r.skip.id, raw, skip: r.skip, line: `${line}\t\\N\t${esc(raw)}\t\\N\t\\N\t${esc(r.skip.reason)}\n` };
  }
  const p: UpdoxPractice = r.entry;
  const v = fromWire(p);
  const raw = JSON.stringify(p);
  let line = `${runId}\t${esc(r.id)}`;
  for (const f of PRACTICE_FIELDS) line += `\t${esc(v[f])}`;
  // Keys Updox did not return at all are unknown, not empty (the plan lets base stand in).
  const missing = PRACTICE_FIELDS.filter((f) => !(f in p));
  const vt: unknown = p.vetted;
  const vetted = vt === true || vt === 'true' ? true : vt === false || vt === 'false' ? false : null;
  line += `\t${esc(vetted)}\t${esc(raw)}\t${missing.length ? `{${missing.join(',')}}` : '\\N'}\t${remoteDigest(v, missing, p)}\t\\N\n`;
  return { id: r.id, raw, line };
}

type ListClient = Pick<UpdoxClient, 'practiceList'> & Partial<Pick<UpdoxClient, 'practiceListStream'>>;

/** The list through `sink`: streamed when the client can, else read whole and handed over at once. */
async function listInto(client: ListClient, sink: ListSink): Promise<CallResult<{ practiceList: unknown[] }>> {
  if (client.practiceListStream) return client.practiceListStream(sink);
  await sink.begin(1);
  const res = await client.practiceList();
  const list = res.body?.practiceList;
  if (res.outcome === 'ok' && Array.isArray(list)) await sink.onEntries(list);
  return res as CallResult<{ practiceList: unknown[] }>;
}

/** Thrown inside the snapshot's transaction to roll it back; handled right outside. */
class ListRefused {
  constructor(readonly res: CallResult<{ practiceList: unknown[] }>) {}
}

export async function snapshotRemote(
  deps: Pick<AppDeps, 'db' | 'log'>,
  client: ListClient,
  runId: string,
): Promise<SnapshotResult> {
  const t0 = performance.now();
  const log = deps.log.child({ runId });
  const run = await getRun(deps.db, runId);
  if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${runId} not found`);
  let outcome: SnapshotCounts | ListRefused;
  try {
    outcome = await withPgTransaction(deps.db, async (c) => {
      await c.query('DELETE FROM remote_snapshots WHERE run_id = $1', [runId]);
      let writer: SnapshotWriter | null = null;
      const sink: ListSink = {
        async begin() {
          if (writer) {
            await writer.abort();
            await c.query('ROLLBACK TO SAVEPOINT list_attempt');
          } else {
            await c.query('SAVEPOINT list_attempt');
          }
          writer = createSnapshotWriter(c, runId, COLS, (item) => entryOf(runId, item));
        },
        onEntries: (entries) => writer!.write(entries),
      };
      let res: CallResult<{ practiceList: unknown[] }>;
      try {
        res = await listInto(client, sink);
      } catch (err) {
        await (writer as SnapshotWriter | null)?.abort();
        throw err;
      }
      if (res.outcome !== 'ok' || !Array.isArray(res.body?.practiceList)) {
        await (writer as SnapshotWriter | null)?.abort();
        throw new ListRefused(res);
      }
      const counts = await (writer as SnapshotWriter | null)!.finish();
      // Nothing readable in a non-empty list: planning against it would take every practice for absent.
      if (counts.written === 0 && counts.skipped.total > 0) {
        const message = `PracticeList answered ${counts.entries} entries and none could be read (${describeTally(counts.skipped)}); the run was not planned`;
        throw new PermanentError('UPDOX_LIST_INVALID', message, { details: { runId, skipped: counts.skipped } });
      }
      const snapshot = {
        practices: counts.written, skipped: counts.skipped.total, skippedByReason: counts.skipped.byReason, skippedSamples: counts.skipped.samples,
        unreadable: counts.unreadable, takenAt: new Date().toISOString(),
      };
      await c.query(`UPDATE runs SET plan_stats = coalesce(plan_stats, '{}'::jsonb) || jsonb_build_object('snapshot', $2::jsonb) WHERE id = $1`,
        [runId, JSON.stringify(snapshot)]);
      return counts;
    });
  } catch (err) {
    if (!(err instanceof ListRefused)) {
      if (err instanceof PermanentError) await endRun(deps, runId, false, err.code, `${err.message}`);
      throw err;
    }
    outcome = err;
  }
  if (outcome instanceof ListRefused) {
    const res = outcome.res;
    if (res.outcome === 'ok') {
      const message = 'PracticeList answered without a practiceList array; the run was not planned';
      await endRun(deps, runId, false, 'UPDOX_LIST_INVALID', message);
      throw new PermanentError('UPDOX_LIST_INVALID', message, { details: { runId } });
    }
    const halt = res.outcome === 'halt';
    const code = halt ? 'UPDOX_LIST_HALTED' : res.reason === 'UPDOX_REPLY_TOO_LARGE' ? 'UPDOX_LIST_TOO_LARGE' : 'UPDOX_LIST_FAILED';
    const message = `PracticeList failed (${res.outcome}${res.code !== null ? `, code ${res.code}` : ''}${res.httpStatus && res.httpStatus !== 200 ? `, HTTP ${res.httpStatus}` : ''}): ${res.message}; the run was not planned`;
    await endRun(deps, runId, halt, code, message);
    log.error({ code, outcome: res.outcome, vendorCode: res.code }, 'remote snapshot failed');
    throw new PermanentError(code, message, { halt, details: { runId, vendorCode: res.code } });
  }
  const counts = outcome;
  // Fresh statistics for the diff's joins; cheap next to the list call.
  await deps.db.raw('ANALYZE remote_snapshots');
  if (run.source) await dropOldSnapshots(deps, run.source, runId);
  const durationMs = Math.round(performance.now() - t0);
  if (counts.skipped.total) log.warn({ skipped: counts.skipped.total, byReason: counts.skipped.byReason, samples: counts.skipped.samples.slice(0, 5) }, 'PracticeList entries skipped');
  log.info({ practices: counts.written, skipped: counts.skipped.total, durationMs }, 'remote snapshot taken');
  return { practices: counts.written, skipped: counts.skipped.total, skippedByReason: counts.skipped.byReason, durationMs };
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
