/**
 * Streams a CSV file as records (csv-parse). Detects encoding (UTF-8 ± BOM, else Windows-1252)
 * and delimiter unless configured. File-level problems throw BadInputError with a distinct code.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { CsvSourceConfig } from '../config';
import { BadInputError } from '../errors';
import type { RecordSource, SourceRecord } from './record-source';
import { sniffDelimiter, sniffEncoding, utf8Prefix } from './sniff';

const SAMPLE_BYTES = 64 * 1024;
/** A record larger than this is refused (an unbalanced quote swallowing the file, usually). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export async function openCsvSource(file: string, source: Pick<CsvSourceConfig, 'encoding' | 'delimiter'>): Promise<RecordSource> {
  const details = { file };
  let size: number;
  let sample: Buffer;
  try {
    size = (await stat(file)).size;
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      sample = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BadInputError('IMPORT_FILE_NOT_FOUND', `roster file not found: ${file}`, { details, cause: err });
    throw new BadInputError('IMPORT_UNREADABLE', `cannot read roster file ${file}: ${code ?? (err as Error).message}`, { details, cause: err });
  }
  const text0 = sample.toString('latin1');
  if (size === 0 || /^[\s\ufeff\u00ef\u00bb\u00bf]*$/.test(text0) && size <= SAMPLE_BYTES) {
    throw new BadInputError('IMPORT_EMPTY', `roster file is empty: ${file}`, { details });
  }
  const verdict = sniffEncoding(sample, source.encoding);
  if ('undecodable' in verdict) throw new BadInputError('IMPORT_UNDECODABLE', `cannot decode ${file}: ${verdict.undecodable}`, { details });
  let encoding = verdict.encoding;
  // Auto: a file that looks like UTF-8 at the start may still hold a Windows-1252 byte later on.
  if (source.encoding === 'auto' && encoding === 'utf8' && !verdict.bom && size > SAMPLE_BYTES && !(await fileIsUtf8(file))) {
    encoding = 'windows-1252';
  }
  const sampleText = encoding === 'utf8' ? utf8Prefix(sample).toString('utf8').replace(/^\ufeff/, '') : iconv.decode(sample, 'win1252');
  const delimiter = source.delimiter === 'auto' ? sniffDelimiter(sampleText) : source.delimiter;

  const parsed = startParseWorker({ file, encoding, delimiter, maxRecordSize: MAX_RECORD_BYTES });
  const first = await nextOrThrow(parsed.iterator, file, 1);
  if (first.done || first.value.every((h) => h.trim() === '')) {
    await parsed.stop();
    throw new BadInputError('IMPORT_NO_HEADER', `roster file has no header row: ${file}`, { details });
  }
  const headers = first.value.map((h) => h.trim());
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 1;
    try {
      for (;;) {
        const r = await nextOrThrow(parsed.iterator, file, row + 1);
        if (r.done) return;
        row++;
        yield { row, cells: r.value };
      }
    } finally {
      await parsed.stop();
    }
  }
  return {
    headers, records: records(), input: file, encoding: verdict.bom ? 'utf8-bom' : encoding,
    delimiter, totalBytes: size, bytesRead: parsed.bytesRead,
    close: parsed.stop,
  };
}

type WorkerMessage =
  | { t: 'batch'; rows: string[][]; bytes: number }
  | { t: 'end'; bytes: number }
  | { t: 'error'; code?: string; message: string; lines?: number };

/**
 * Runs csv-parse on a worker thread (csv-parse-worker.mjs) and exposes its records as an async
 * iterator, acknowledging each batch as it is consumed (the worker's back-pressure). Parsing is
 * the import's heaviest step; on a worker it overlaps normalizing and staging on the main thread.
 */
function startParseWorker(data: { file: string; encoding: string; delimiter: string; maxRecordSize: number }) {
  const worker = new Worker(new URL('./csv-parse-worker.mjs', import.meta.url), { workerData: data });
  const queue: WorkerMessage[] = [];
  let waiting: (() => void) | null = null;
  let bytes = 0;
  let stopped = false;
  const push = (m: WorkerMessage) => {
    queue.push(m);
    if (waiting) { const w = waiting; waiting = null; w(); }
  };
  worker.on('message', (m: WorkerMessage) => push(m));
  worker.on('error', (err: Error & { code?: string }) => push({ t: 'error', code: err.code, message: err.message }));
  worker.on('exit', () => { if (!stopped) push({ t: 'end', bytes }); });
  let rows: string[][] = [];
  let i = 0;
  let ended = false;
  const iterator: AsyncIterator<string[]> = {
    async next() {
      while (i >= rows.length) {
        if (ended) return { done: true, value: undefined };
        while (!queue.length) await new Promise<void>((r) => { waiting = r; });
        const m = queue.shift()!;
        if (m.t === 'error') {
          ended = true;
          throw Object.assign(new Error(m.message), { code: m.code, lines: m.lines });
        }
        bytes = m.bytes;
        if (m.t === 'end') { ended = true; continue; }
        rows = m.rows;
        i = 0;
        worker.postMessage({ t: 'ack' });
      }
      return { done: false, value: rows[i++]! };
    },
  };
  return {
    iterator,
    bytesRead: () => bytes,
    async stop() {
      if (stopped) return;
      stopped = true;
      await worker.terminate();
    },
  };
}

async function nextOrThrow(it: AsyncIterator<string[]>, file: string, row: number): Promise<IteratorResult<string[]>> {
  try {
    return await it.next();
  } catch (err) {
    const e = err as { code?: string; message: string; lines?: number };
    if (e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'EIO') {
      throw new BadInputError('IMPORT_UNREADABLE', `cannot read roster file ${file}: ${e.code}`, { details: { file }, cause: err });
    }
    const where = e.lines ? `line ${e.lines}` : `record ${row}`;
    throw new BadInputError('IMPORT_MALFORMED_CSV', `malformed CSV in ${file} at ${where}: ${e.message}`, {
      details: { file, row, line: e.lines, csvCode: e.code }, cause: err,
    });
  }
}

/** Streams the whole file through a UTF-8 validity check (~1 GB/s). */
async function fileIsUtf8(file: string): Promise<boolean> {
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = utf8Prefix(buf);
    if (!isUtf8(whole)) return false;
    carry = Buffer.from(buf.subarray(whole.length));
  }
  return carry.length === 0;
}
