/**
 * The CSV import's format thread. The parse thread (csv-parse-worker.mjs) reads and parses the
 * file and posts records here in batches; this thread normalizes each record and formats it as
 * COPY text (copy-rows.ts), and posts the text to the main thread in ~256 KB chunks whose memory
 * is transferred, not copied. The main thread only writes those chunks to Postgres. So parsing,
 * normalizing and Postgres's ingest run side by side, and memory stays bounded: each hop holds
 * a few batches at most (acknowledgements pace the thread before it).
 *
 * Protocol with the main thread:
 *  → workerData  { parse: { port, … } }       the port to the parse thread
 *  ← header      { cells }                     the first record; then this thread waits
 *  → start       { format: RowFormatConfig }   (or the main thread terminates both threads)
 *  ← chunk       { data: Uint8Array, rows, bytes }   at most MAX_IN_FLIGHT unacknowledged
 *  → ack         { data }                      the chunk's buffer, given back once written
 *  ← end         { counts, bytes }
 *  ← error       { code, message, lines, record }    a read or parse error, at any point
 * Compiled, it runs as dist/csv-import-worker.js (`npm run build`); in development and tests it
 * loads through csv-import-worker.mjs, which registers tsx for the TypeScript imports.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { threadCpuSeconds } from './thread-cpu.mjs';
import { createRowFormatter, type RowCounts, type RowFormatConfig, type RowFormatter } from './copy-rows';

/** `ack` gives a chunk's buffer back once written, to be filled again. */
export type ToWorker = { t: 'start'; format: RowFormatConfig } | { t: 'ack'; data: Uint8Array };
export type FromWorker =
  | { t: 'header'; cells: string[] }
  | { t: 'chunk'; data: Uint8Array; rows: number; bytes: number }
  | { t: 'end'; counts: RowCounts; bytes: number; cpuSeconds: { parse: number | null; format: number | null } }
  | { t: 'error'; code?: string; message: string; lines?: number; record?: number };
/** What the parse thread posts. */
type FromParser =
  | { t: 'records'; buf: Uint8Array; len: number; ascii: boolean; raw: boolean; cells: Uint32Array; ncells: number; bytes: number }
  | { t: 'end'; bytes: number; cpuSeconds: number | null }
  | { t: 'error'; code?: string; message: string; lines?: number; record?: number };

/** Bytes of COPY text per posted chunk. */
const CHUNK_BYTES = 256 * 1024;
/** Chunks posted and not yet written by the main thread; the parse thread waits beyond this. */
const MAX_IN_FLIGHT = 4;

const main = parentPort!;
const parser = (workerData as { port: MessagePort }).port;

let formatter: RowFormatter | null = null;
let inFlight = 0;
let bytes = 0;
let row = 1; // the header is row 1
// Each line is written into the chunk as UTF-8 as soon as it is formatted, so it dies young
// (a string of 1,000 lines kept until the chunk is full was copied by every scavenge, then
// promoted, and its final flattening cost more than the encoding itself).
let out: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
/** Chunk buffers given back by the main thread: no chunk is allocated in steady state. */
const freeChunks: Buffer[] = [];
let outBytes = 0;
let outRows = 0;
/** Set once an error or the end has been posted: nothing more is done. */
let done = false;
let parseEnded = false;
let parseCpu: number | null = null;
/** Batches received but not yet formatted (before `start`, or while the main thread is behind). */
interface Batch { text: string; utf8: Buffer | null; buf: Uint8Array; cells: Uint32Array; ncells: number; p: number; off: number }
const pending: Batch[] = [];
/** Characters that a cell must be checked for (control characters, COPY escapes): when a batch has none, no cell of it is. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SPECIAL = /[\u0000-\u001f\u007f-\u009f\\]/;
/** In a raw batch (UTF-8 read as Latin-1), a character that is a byte of a multi-byte sequence. */
const HIGH = /[\u0080-\u00ff]/;
let sawHeader = false;

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => main.postMessage(m, transfer);

/** Buffer's own UTF-8 writer: Buffer#write without the argument checks, which cost more than the writing. */
interface Utf8Writable { utf8Write(s: string, offset: number): number }

/** Writes a line into the chunk; a chunk is posted when the next line might not fit. */
function append(line: string) {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8.
  if (outBytes + line.length * 3 > out.length) {
    flushChunk();
    if (line.length * 3 > out.length) out = Buffer.allocUnsafeSlow(line.length * 3); // a huge row (a 1 MB cell)
  }
  outBytes += (out as unknown as Utf8Writable).utf8Write(line, outBytes);
  outRows++;
}

function flushChunk() {
  if (!outBytes) return;
  const data = new Uint8Array(out.buffer, out.byteOffset, outBytes);
  const rows = outRows;
  out = freeChunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  outBytes = 0;
  outRows = 0;
  inFlight++;
  // allocUnsafeSlow: the buffer owns its ArrayBuffer (no pool), so it can be transferred.
  post({ t: 'chunk', data, rows, bytes }, [data.buffer as ArrayBuffer]);
}

function work() {
  if (done || !formatter) return;
  while (inFlight < MAX_IN_FLIGHT && pending.length) {
    const batch = pending.shift()!;
    const { text, utf8, cells, ncells } = batch;
    // In a raw batch SPECIAL also sees the bytes of UTF-8 sequences: a C1 control (C2 80-9F) among
    // them, and some characters that are not controls, for which the cells are checked one by one.
    const plain = !SPECIAL.test(text);
    try {
      let { p, off } = batch;
      while (p < ncells) {
        const rec = recordAt(text, cells, p, off, utf8);
        if (rec.length) off = cells[p + rec.length]!;
        p += rec.length + 1;
        append(formatter.line(++row, rec, plain));
      }
    } catch (err) {
      done = true;
      post({ t: 'error', message: `formatting row ${row}: ${(err as Error).message}` });
      return;
    }
    parser.postMessage({ t: 'ack', buf: batch.buf, cells }, [batch.buf.buffer as ArrayBuffer, cells.buffer as ArrayBuffer]);
  }
  if (parseEnded && !pending.length) {
    flushChunk();
    post({ t: 'end', counts: formatter.counts, bytes, cpuSeconds: { parse: parseCpu, format: threadCpuSeconds() } });
    done = true;
  }
}

/**
 * The record whose cell count is at cells[p]; `start` is where its first cell begins in text.
 * `utf8`: the batch's bytes when it is raw and has bytes over 0x7F; a cell with such bytes is
 * decoded from them as UTF-8 (in text it is one character a byte).
 */
function recordAt(text: string, cells: Uint32Array, p: number, start: number, utf8: Buffer | null): string[] {
  const n = cells[p]!;
  const rec = new Array<string>(n);
  let from = start;
  for (let i = 0; i < n; i++) {
    const to = cells[p + 1 + i]!;
    const cell = text.slice(from, to);
    rec[i] = utf8 && HIGH.test(cell) ? utf8.toString('utf8', from, to) : cell;
    from = to;
  }
  return rec;
}

parser.on('message', (m: FromParser) => {
  if (done) return;
  if (m.t === 'error') {
    done = true;
    post(m);
    return;
  }
  bytes = m.bytes;
  if (m.t === 'end') {
    parseEnded = true;
    parseCpu = m.cpuSeconds;
    if (!sawHeader) {
      done = true;
      post({ t: 'end', counts: { read: 0, valid: 0, quarantined: 0, warnings: {}, duplicateSuspects: [] }, bytes, cpuSeconds: { parse: m.cpuSeconds, format: null } });
      return;
    }
  } else {
    let p = 0;
    let off = 0;
    const bytesOf = Buffer.from(m.buf.buffer, m.buf.byteOffset, m.len);
    const text = bytesOf.toString(m.ascii ? 'latin1' : 'utf8');
    const utf8 = m.raw && HIGH.test(text) ? bytesOf : null;
    if (!sawHeader) {
      sawHeader = true;
      const header = recordAt(text, m.cells, 0, 0, utf8);
      post({ t: 'header', cells: header });
      if (header.length) off = m.cells[header.length]!;
      p = header.length + 1;
    }
    pending.push({ text, utf8, buf: m.buf, cells: m.cells, ncells: m.ncells, p, off });
  }
  work();
});

main.on('message', (m: ToWorker) => {
  if (m.t === 'start') formatter = createRowFormatter(m.format);
  else if (m.t === 'ack') {
    inFlight--;
    if (m.data.buffer.byteLength === CHUNK_BYTES) freeChunks.push(Buffer.from(m.data.buffer, 0, CHUNK_BYTES));
  }
  work();
});

