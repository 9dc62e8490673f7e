/**
 * The remote snapshot's batch writer: PracticeList entries, as the streamed reply delivers them,
 * COPYed into remote_snapshots on the caller's connection (inside its transaction) in ~64 KB
 * chunks, waiting for the socket when Postgres is slower than the reply. Memory stays bounded
 * whatever the list's size: one chunk, and 8 bytes per accountId for repeats
 * (src/roster/id-fingerprints.ts).
 *
 * Each entry is read on its own by the caller's `lineOf` (snapshot.ts, through readPracticeEntry):
 * one without a usable id is skipped and tallied; one with a readable id but an unusable record
 * is stored as `unreadable` and tallied too (the plan leaves that practice alone). An entry whose
 * id fingerprint was seen before is held aside (at most MAX_HELD); after the COPY, each held
 * entry whose id is already stored is a repeat: the same content again (jsonb equality) is
 * skipped as `duplicate`, other content as `conflicting_duplicate`, and then neither can be
 * trusted, so the stored row becomes unreadable. Held entries whose id is not stored (a
 * fingerprint collision, about never) are COPYed too.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { PermanentError } from '../errors';
import { IdFingerprints } from '../roster/id-fingerprints';
import { emptyTally, tallySkip, type SkippedEntry, type SkipTally } from '../updox/list-entries';

const CHUNK_BYTES = 64 * 1024;
const MAX_HELD = 10_000;

type Skip = Omit<SkippedEntry, 'index'>;

/**
 * One entry as the writer stores it: skipped (no usable id), or a COPY line of remote_snapshots
 * with its id and its `raw` JSON text (to tell a repeat from other content); `skip` is set when
 * the line stores the entry as unreadable.
 */
export type SnapshotEntry = { id: null; skip: Skip } | { id: string; line: string; raw: string; skip?: Skip };
export type SnapshotLine = (entry: unknown) => SnapshotEntry;

export interface SnapshotCounts {
  /** Entries in the list. */
  entries: number;
  /** Readable practices stored. */
  written: number;
  /** Practices stored as unreadable (listed, but their record cannot be trusted). */
  unreadable: number;
  skipped: SkipTally;
}

export interface SnapshotWriter {
  write(entries: unknown[]): Promise<void>;
  /** Ends the COPY, settles the held entries; the counts of the whole list. */
  finish(): Promise<SnapshotCounts>;
  /** Stops the COPY (the caller rolls its transaction or savepoint back). */
  abort(): Promise<void>;
}

interface Held { index: number; line: string; raw: string; skip?: Skip; conflict: boolean }

function startCopy(c: pg.Client, columns: readonly string[]) {
  const copy: Writable = c.query(copyFrom(`COPY remote_snapshots (${columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  done.catch(() => {}); // awaited by finish/abort
  const write = async (chunk: string) => {
    if (copy.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      copy.once('error', onError);
      copy.once('drain', () => {
        copy.off('error', onError);
        resolve();
      });
    });
  };
  return { copy, done, write };
}

export function createSnapshotWriter(c: pg.Client, runId: string, columns: readonly string[], lineOf: SnapshotLine): SnapshotWriter {
  const main = startCopy(c, columns);
  const ids = new IdFingerprints();
  const held = new Map<string, Held>();
  const skipped = emptyTally();
  let entries = 0, written = 0, unreadable = 0, buf = '';
  const stored = (skip: Skip | undefined, index: number) => {
    if (skip) {
      tallySkip(skipped, { ...skip, index });
      unreadable++;
    } else {
      written++;
    }
  };
  const repeat = (index: number, id: string, same: boolean) => tallySkip(skipped, same
    ? { index, id, reason: 'duplicate', detail: 'the same entry again' }
    : { index, id, reason: 'conflicting_duplicate', detail: 'listed again with other content' });

  return {
    async write(list) {
      for (const item of list) {
        const index = entries++;
        const e = lineOf(item);
        if (e.id === null) {
          tallySkip(skipped, { ...e.skip, index });
          continue;
        }
        const fresh = ids.addNew(e.id);
        if (fresh === null) throw new PermanentError('UPDOX_LIST_INVALID', `PracticeList holds more distinct accountIds than the snapshot can check for repeats (over 4,194,304); the run was not planned`);
        if (!fresh) {
          const h = held.get(e.id);
          if (h) {
            const same = !e.skip && !h.skip && e.raw === h.raw;
            repeat(index, e.id, same);
            if (!same) h.conflict = true;
          } else if (held.size >= MAX_HELD) {
            throw new PermanentError('UPDOX_LIST_INVALID', `PracticeList repeats more than ${MAX_HELD} accountIds; the run was not planned`);
          } else {
            held.set(e.id, { index, line: e.line, raw: e.raw, skip: e.skip, conflict: false });
          }
          continue;
        }
        buf += e.line;
        stored(e.skip, index);
        if (buf.length >= CHUNK_BYTES) {
          const chunk = buf;
          buf = '';
          await main.write(chunk);
        }
      }
    },
    async finish() {
      if (buf) await main.write(buf);
      buf = '';
      main.copy.end();
      await main.done;
      /** Stored rows that a repeat with other content makes unreadable. */
      const conflicting: string[] = [];
      if (held.size) {
        const keys = [...held.keys()];
        const present = (await c.query(
          `SELECT s.account_id, s.unreadable IS NOT NULL AS unreadable, s.raw = h.raw::jsonb AS same
           FROM remote_snapshots s JOIN unnest($2::text[], $3::text[]) AS h(id, raw) ON h.id = s.account_id
           WHERE s.run_id = $1`,
          [runId, keys, keys.map((k) => held.get(k)!.raw)],
        )).rows as { account_id: string; unreadable: boolean; same: boolean }[];
        for (const r of present) {
          const h = held.get(r.account_id)!;
          held.delete(r.account_id);
          const same = !r.unreadable && !h.skip && r.same && !h.conflict;
          repeat(h.index, r.account_id, same);
          if (!same && !r.unreadable) conflicting.push(r.account_id);
        }
        if (held.size) {
          const extra = startCopy(c, columns);
          await extra.write([...held.values()].map((h) => h.line).join(''));
          extra.copy.end();
          await extra.done;
          for (const [id, h] of held) {
            stored(h.skip, h.index);
            if (h.conflict && !h.skip) conflicting.push(id);
          }
        }
      }
      if (conflicting.length) {
        await c.query(`UPDATE remote_snapshots SET unreadable = 'conflicting_duplicate', digest = NULL WHERE run_id = $1 AND account_id = ANY ($2::text[])`, [runId, conflicting]);
        written -= conflicting.length;
        unreadable += conflicting.length;
      }
      // Repeats are settled last: the examples in list order.
      skipped.samples.sort((a, b) => a.index - b.index);
      return { entries, written, unreadable, skipped };
    },
    async abort() {
      main.copy.destroy();
      await main.done.catch(() => {});
    },
  };
}
