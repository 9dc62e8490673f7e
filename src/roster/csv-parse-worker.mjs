// The CSV import's parse thread: reads the file (decoding Windows-1252 when asked) and parses it
// with csv-parse, posting records in batches over `port` to the format thread
// (csv-import-worker.ts), which normalizes them while this thread parses on. Plain JavaScript:
// it imports no TypeScript, so it starts without a loader.
//
// Protocol on `port`: → { t: 'records', buf, len, ascii, raw, cells, ncells, bytes } at most
// MAX_IN_FLIGHT unacknowledged; ← { t: 'ack', buf, cells } (the two buffers, given back);
// → { t: 'end', bytes, cpuSeconds } or { t: 'error', code, message, lines, record }.
// A batch is every cell of its records end to end, as UTF-8 in `buf` (`ascii`: one byte a
// character), and a Uint32Array that gives, per record, its number of cells then each cell's end
// offset in the decoded text (characters). `raw`: the bytes are the file's own UTF-8, read as
// Latin-1 (see below): one byte a character, and a cell holding a byte over 0x7F is UTF-8 for the
// format thread to decode. Both buffers are transferred, and transferred back
// with the acknowledgement to be filled again: in steady state nothing is allocated or copied
// between threads but the bytes themselves (allocating them per batch, freed on the other thread,
// left ~40 MB of malloc arenas behind on a 1M-row file).
// Records whose every cell is empty or whitespace are skipped (as csv-parse's
// skip_records_with_empty_values would; checked here, where it costs far less).
//
// A UTF-8 file is parsed as Latin-1 (`raw`): csv-parse makes every cell a one-byte string of its
// bytes, which costs less than decoding UTF-8 cell by cell (csv-parse's own parse of a 1M-row
// file took 7-15% less time), and this thread writes the cells back byte for byte. Every byte
// csv-parse looks for (delimiter, quote, CR, LF) is ASCII, and no UTF-8 sequence holds an ASCII
// byte, so the cells' bytes are exactly as with UTF-8 decoding. A UTF-8 BOM (`bomBytes`, found
// by the main thread's sniff) is skipped by starting the read after it (csv-parse's `bom` would
// switch it to UTF-8 decoding). Windows-1252 files are decoded by iconv-lite and parsed as text.
import { workerData } from 'node:worker_threads';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { threadCpuSeconds } from './thread-cpu.mjs';

const BATCH_ROWS = 1000;
/** A batch's text buffer; a batch is sent early when its next record might not fit. */
const BATCH_BYTES = 512 * 1024;
const BATCH_CELLS = 32 * 1024;
// The format thread starts in ~0.1 s; 16 batches (16,000 records) keep this thread busy meanwhile.
const MAX_IN_FLIGHT = 16;
const { file, encoding, bomBytes, delimiter, maxRecordSize, port } = workerData;
const raw = encoding === 'utf8';
const HIGH = /[\u0080-\u00ff]/;
/** Bytes not read: a UTF-8 file's BOM. */
const skip = raw ? bomBytes : 0;

let inFlight = 0;
let bytes = skip;
let records = 0;
let failed = false;
let ended = false;
const freeBufs = [];
const freeCells = [];
let buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
let cells = new Uint32Array(BATCH_CELLS);
let used = 0; // bytes of buf filled
let ncells = 0;
let chars = 0; // characters of the batch's text so far
let ascii = true;
let batchRecords = 0;

const stream = createReadStream(file, { highWaterMark: 64 * 1024, start: skip });
stream.on('data', (c) => { bytes += c.length; });
const parser = parse({
  bom: !raw, encoding: raw ? 'latin1' : 'utf8', delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
  max_record_size: maxRecordSize,
});
const fail = (err) => {
  if (failed) return;
  failed = true;
  port.postMessage({ t: 'error', code: err?.code, message: err?.message ?? String(err), lines: err?.lines, record: records + 1 });
  stream.destroy();
};
stream.on('error', fail);
parser.on('error', fail);
if (raw) stream.pipe(parser);
else stream.pipe(iconv.decodeStream('win1252')).pipe(parser);

function blank(rec) {
  for (let i = 0; i < rec.length; i++) {
    const c = rec[i];
    if (!c.length) continue;
    // A raw cell with bytes over 0x7F is decoded first: it may be Unicode white space (NBSP…).
    if (raw && HIGH.test(c)) {
      if (Buffer.from(c, 'latin1').toString('utf8').trim() !== '') return false;
    } else if (c.trim() !== '') return false;
  }
  return true;
}

function drain() {
  if (failed) return;
  let rec;
  while (inFlight < MAX_IN_FLIGHT && (rec = parser.read()) !== null) {
    if (blank(rec)) continue;
    records++;
    // One join per record, not one write per cell.
    const joined = rec.join('');
    if (batchRecords && (used + joined.length * 3 > buf.length || ncells + rec.length + 1 > cells.length)) send();
    // A record too large for a pooled buffer gets buffers of its own (not pooled).
    if (joined.length * 3 > buf.length) buf = Buffer.allocUnsafeSlow(joined.length * 3);
    if (rec.length + 1 > cells.length) cells = new Uint32Array(rec.length + 1);
    cells[ncells++] = rec.length;
    let end = chars;
    for (let i = 0; i < rec.length; i++) cells[ncells++] = (end += rec[i].length);
    chars = end;
    const n = raw ? buf.latin1Write(joined, used) : buf.utf8Write(joined, used);
    if (n !== joined.length) ascii = false;
    used += n;
    if (++batchRecords >= BATCH_ROWS) send();
  }
  if (parser.readableEnded) finish();
}

function send() {
  inFlight++;
  port.postMessage({ t: 'records', buf, len: used, ascii, raw, cells, ncells, bytes }, [buf.buffer, cells.buffer]);
  buf = freeBufs.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  cells = freeCells.pop() ?? new Uint32Array(BATCH_CELLS);
  used = 0;
  ncells = 0;
  chars = 0;
  ascii = true;
  batchRecords = 0;
}

function finish() {
  if (ended || failed) return;
  ended = true;
  if (batchRecords) send();
  port.postMessage({ t: 'end', bytes, cpuSeconds: threadCpuSeconds() });
}

parser.on('readable', drain);
parser.on('end', finish);
port.on('message', (m) => {
  if (m && m.t === 'ack') {
    inFlight--;
    if (m.buf?.byteLength === BATCH_BYTES) freeBufs.push(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
    if (m.cells?.length === BATCH_CELLS) freeCells.push(m.cells);
    drain();
  }
});

