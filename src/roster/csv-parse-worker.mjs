// Parses a CSV file with csv-parse on a worker thread and posts the records to the importer in
// batches, so that parsing (the import's heaviest step) runs on one core while the main thread
// normalizes and stages on the other. Plain JavaScript so that it loads under any runner (tsx,
// vitest) without a TypeScript loader. Back-pressure: at most `maxInFlight` batches are posted
// and not yet acknowledged; the parser stream is paused until the importer catches up.
import { parentPort, workerData } from 'node:worker_threads';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';

const { file, encoding, delimiter, maxRecordSize, batchRows = 1000, maxInFlight = 8 } = workerData;

let inFlight = 0;
let wake = null;
parentPort.on('message', (m) => {
  if (m && m.t === 'ack') {
    inFlight--;
    if (wake) { const w = wake; wake = null; w(); }
  }
});

let bytes = 0;
const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
stream.on('data', (c) => { bytes += c.length; });
const parser = parse({
  bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
  skip_records_with_empty_values: true, max_record_size: maxRecordSize,
});
stream.on('error', (err) => parser.destroy(err));
if (encoding === 'utf8') stream.pipe(parser);
else stream.pipe(iconv.decodeStream('win1252')).pipe(parser);

const post = async (rows) => {
  while (inFlight >= maxInFlight) await new Promise((r) => { wake = r; });
  inFlight++;
  parentPort.postMessage({ t: 'batch', rows, bytes });
};

try {
  let batch = [];
  for await (const rec of parser) {
    batch.push(rec);
    if (batch.length >= batchRows) {
      await post(batch);
      batch = [];
    }
  }
  if (batch.length) await post(batch);
  parentPort.postMessage({ t: 'end', bytes });
} catch (err) {
  parentPort.postMessage({ t: 'error', code: err?.code, message: err?.message ?? String(err), lines: err?.lines });
}
