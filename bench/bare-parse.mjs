// csv-parse's bare rate on a file, in a process of its own (so that its memory does not count in
// the import's peak RSS): `node bench/bare-parse.mjs FILE [columns]`. Reads with a 64 KB stream,
// parses with `bom: true` (arrays, or `columns: true`), counts records, prints one JSON line.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { performance } from 'node:perf_hooks';

const [file, mode] = process.argv.slice(2);
const columns = mode === 'columns';
const t0 = performance.now();
let rows = 0;
for await (const rec of createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(parse({ columns, bom: true }))) if (rec) rows++;
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ rows: columns ? rows : rows - 1, seconds }));
