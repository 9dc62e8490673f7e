/**
 * snapshotRemote: PracticeList at the start of a run, stored in remote_snapshots for the run (the
 * "remote" side of the three-way diff). The reply is streamed: parsed as it arrives and COPYed in
 * batches (snapshot-writer.ts) on one connection, in one transaction that first drops an earlier
 * snapshot of the same run (a re-run replaces it); each attempt of the call runs in a savepoint,
 * so a retry starts from an empty snapshot. Memory does not grow with the list.
 * A failed or halted PracticeList fails (or halts) the run: the plan must never run against nothing.
 */
import { createHash } from 'node:crypto';
import type { AppDeps } from '../app';
import { BadInputError, PermanentError } from '../errors';
import { COLUMN_OF, PRACTICE_FIELDS, type PracticeValues } from '../practice';
import type { CallResult, ListSink, UpdoxClient, UpdoxPractice } from '../updox/types';
import { fromWire } from './payload';
import { withPgTransaction } from './plan-sql';
import { failRun, getRun, haltRun } from '../runs';
import { createSnapshotWriter, type SnapshotWriter } from './snapshot-writer';
/** Snapshots of this many earlier finished runs per source are kept (for inspection); older ones are dropped. */
export const SNAPSHOTS_KEPT = 3;
const COLS = ['run_id', 'account_id', ...PRACTICE_FIELDS.map((f) => COLUMN_OF[f]), 'vetted', 'raw', 'missing_fields', 'digest'];

export interface SnapshotResult {
  practices: number;
  /** List entries without an accountId, or repeating one already seen. */
  skipped: number;
  durationMs: number;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
function esc(v: string | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/**
 * md5 of a row's practice columns as stored (a uuid): the plan's remote digest
 * (src/sync/plan-keys-sql.ts). Only ever compared with digests copied from snapshot rows.
 */
export function rowDigest(v: PracticeValues): string {
  const h = createHash('md5').update(JSON.stringify(PRACTICE_FIELDS.map((f) => v[f] ?? null))).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** One list entry as a COPY line of remote_snapshots; null when it has no accountId (skipped). */
function lineOf(runId: string, item: unknown): { id: string; line: string } | null {
  const p = item as UpdoxPractice;
  const id = typeof p?.accountId === 'string' ? p.accountId.trim() : '';
  if (!id) return null;
  const v = fromWire(p);
  let line = `${runId}\t${esc(id)}`;
  for (const f of PRACTICE_FIELDS) line += `\t${esc(v[f])}`;
  // Keys Updox did not return at all are unknown, not empty (the plan lets base stand in).
  const missing = PRACTICE_FIELDS.filter((f) => !(f in p));
  line += `\t${esc(typeof p.vetted === 'boolean' ? p.vetted : null)}\t${esc(JSON.stringify(p))}\t${missing.length ? `{${missing.join(',')}}` : '\\N'}`;
  line += `\t${missing.length ? '\\N' : rowDigest(v)}\n`;
  return { id, line };
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
  let outcome: { written: number; skipped: number } | ListRefused;
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
          writer = createSnapshotWriter(c, runId, COLS, (item) => lineOf(runId, item));
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
      const snapshot = { practices: counts.written, skipped: counts.skipped, takenAt: new Date().toISOString() };
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
  const { written, skipped } = outcome;
  // Fresh statistics for the diff's joins; cheap next to the list call.
  await deps.db.raw('ANALYZE remote_snapshots');
  if (run.source) await dropOldSnapshots(deps, run.source, runId);
  const durationMs = Math.round(performance.now() - t0);
  log.info({ practices: written, skipped, durationMs }, 'remote snapshot taken');
  return { practices: written, skipped, durationMs };
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
