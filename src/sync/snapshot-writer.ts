/**
 * The remote snapshot's batch writer: PracticeList entries, as the streamed reply delivers them,
 * COPYed into remote_snapshots on the caller's connection (inside its transaction) in ~64 KB
 * chunks, waiting for the socket when Postgres is slower than the reply. Memory stays bounded
 * whatever the list's size: one chunk, and 8 bytes per accountId for repeats
 * (src/roster/id-fingerprints.ts). An entry whose id fingerprint was seen before is held aside
 * (at most MAX_HELD); after the COPY, those already stored are counted as repeats and skipped,
 * the others (a fingerprint collision, about never) are COPYed too.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { PermanentError } from '../errors';
import { IdFingerprints } from '../roster/id-fingerprints';

const CHUNK_BYTES = 64 * 1024;
const MAX_HELD = 10_000;

/** One entry as a COPY line, with its id; null when the entry has no usable accountId (skipped). */
export type SnapshotLine = (entry: unknown) => { id: string; line: string } | null;

export interface SnapshotWriter {
  write(entries: unknown[]): Promise<void>;
  /** Ends the COPY, settles the held entries; the counts of the whole list. */
  finish(): Promise<{ written: number; skipped: number }>;
  /** Stops the COPY (the caller rolls its transaction or savepoint back). */
  abort(): Promise<void>;
}

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
  const held = new Map<string, string>();
  let written = 0, skipped = 0, buf = '';

  return {
    async write(entries) {
      for (const entry of entries) {
        const l = lineOf(entry);
        if (!l) {
          skipped++;
          continue;
        }
        const fresh = ids.addNew(l.id);
        if (fresh === null) throw new PermanentError('UPDOX_LIST_INVALID', `PracticeList holds more distinct accountIds than the snapshot can check for repeats (over 4,194,304); the run was not planned`);
        if (!fresh) {
          if (held.has(l.id)) skipped++;
          else if (held.size >= MAX_HELD) throw new PermanentError('UPDOX_LIST_INVALID', `PracticeList repeats more than ${MAX_HELD} accountIds; the run was not planned`);
          else held.set(l.id, l.line);
          continue;
        }
        buf += l.line;
        written++;
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
      if (held.size) {
        const present = (await c.query('SELECT account_id FROM remote_snapshots WHERE run_id = $1 AND account_id = ANY($2)', [runId, [...held.keys()]])).rows as { account_id: string }[];
        for (const r of present) held.delete(r.account_id);
        skipped += present.length;
        if (held.size) {
          const extra = startCopy(c, columns);
          await extra.write([...held.values()].join(''));
          extra.copy.end();
          await extra.done;
          written += held.size;
        }
      }
      return { written, skipped };
    },
    async abort() {
      main.copy.destroy();
      await main.done.catch(() => {});
    },
  };
}
