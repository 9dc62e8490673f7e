// The CSV import's parse thread: reads the file (decoding Windows-1252 when asked) and parses it
// with csv-parse, posting records in batches over `port` to the format thread
// (csv-import-worker.ts), which normalizes them while this thread parses on. Plain JavaScript:
// it imports no TypeScript, so it starts without a loader.
//
// Protocol on `port`: → { t: 'records', text, cells, bytes } at most MAX_IN_FLIGHT unacknowledged;
// ← { t: 'ack' }; → { t: 'end', bytes, cpuSeconds } or { t: 'error', code, message, lines, record }.
// A batch is sent as one string, every cell of its records end to end, and a Uint32Array that
// gives, per record, its number of cells then each cell's end offset in that string (transferred).
// Cloning one string costs far less than cloning thousands of small ones, and the format thread
// cuts the cells back out cheaply.
// Records whose every cell is empty or whitespace are skipped (as csv-parse's
// skip_records_with_empty_values would; checked here, where it costs far less).
import { workerData } from 'node:worker_threads';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { threadCpuSeconds } from './thread-cpu.mjs';

const BATCH_ROWS = 1000;
// Generous: the format thread takes ~0.7 s to start (loading its TypeScript), and parsing should
// not stop meanwhile. 64 batches of 1,000 records hold ~14 MB.
const MAX_IN_FLIGHT = 64;
const { file, encoding, delimiter, maxRecordSize, port } = workerData;

let inFlight = 0;
let bytes = 0;
let records = 0;
let failed = false;
let ended = false;
let text = '';
let cells = [];
let batchRecords = 0;

const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
stream.on('data', (c) => { bytes += c.length; });
const parser = parse({
  bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: maxRecordSize,
});
const fail = (err) => {
  if (failed) return;
  failed = true;
  port.postMessage({ t: 'error', code: err?.code, message: err?.message ?? String(err), lines: err?.lines, record: records + 1 });
  stream.destroy();
};
stream.on('error', fail);
parser.on('error', fail);
if (encoding === 'utf8') stream.pipe(parser);
else stream.pipe(iconv.decodeStream('win1252')).pipe(parser);

function blank(cells) {
  for (let i = 0; i < cells.length; i++) if (cells[i].length && cells[i].trim() !== '') return false;
  return true;
}

function drain() {
  if (failed) return;
  let rec;
  while (inFlight < MAX_IN_FLIGHT && (rec = parser.read()) !== null) {
    if (blank(rec)) continue;
    records++;
    // One join per record, not one concatenation per cell: 13 times fewer string pieces to
    // allocate, keep and flatten (~1 s of this thread's CPU per 1M rows).
    cells.push(rec.length);
    let end = text.length;
    for (let i = 0; i < rec.length; i++) cells.push((end += rec[i].length));
    text += rec.join('');
    if (++batchRecords >= BATCH_ROWS) send();
  }
  if (parser.readableEnded) finish();
}

function send() {
  const offsets = Uint32Array.from(cells);
  inFlight++;
  port.postMessage({ t: 'records', text, cells: offsets, bytes }, [offsets.buffer]);
  text = '';
  cells = [];
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
    drain();
  }
});

