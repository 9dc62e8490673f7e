/**
 * A CSV file as a record source. Detects encoding (UTF-8 ± BOM, else Windows-1252) and delimiter
 * unless configured; csv-parse, normalizing and COPY formatting run on a worker thread
 * (csv-import-worker.ts). File-level problems throw BadInputError with a distinct code.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { CsvSourceConfig } from '../config';
import { BadInputError } from '../errors';
import { assertRegularFile } from '../safe-files';
import type { RowCounts, RowFormatConfig } from './copy-rows';
import type { FromWorker, ToWorker } from './csv-import-worker';
import type { CopyWrite, RecordSource } from './record-source';
import { invalidUtf8Offset, sniffDelimiter, sniffEncoding, utf8Prefix } from './sniff';
import { COMPILED, DIST_DIR } from '../paths';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SAMPLE_BYTES = 64 * 1024;
/** A record larger than this is refused (an unbalanced quote swallowing the file, usually). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export async function openCsvSource(file: string, source: Pick<CsvSourceConfig, 'encoding' | 'delimiter'>): Promise<RecordSource> {
  const details = { file };
  let sample: Buffer;
  // A FIFO, device or directory: named before anything opens it (opening a FIFO blocks).
  const size = (await assertRegularFile(file, 'IMPORT_NOT_A_FILE', 'roster file')).size;
  try {
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
  if ('undecodable' in verdict) {
    // A configured utf8 that the first bytes already break: name where, as for a later byte.
    const bad = source.encoding === 'utf8' && /UTF-8/.test(verdict.undecodable) ? await findInvalidUtf8(file) : null;
    if (bad) throw notUtf8(file, bad);
    throw new BadInputError('IMPORT_UNDECODABLE', `cannot decode ${file}: ${verdict.undecodable}`, { details });
  }
  let encoding = verdict.encoding;
  const delimiterOf = (enc: string) => source.delimiter !== 'auto' ? source.delimiter
    : sniffDelimiter(enc === 'utf8' ? utf8Prefix(sample).toString('utf8').replace(/^\ufeff/, '') : iconv.decode(sample, 'win1252'));
  let delimiter = delimiterOf(encoding);
  const bomBytes = verdict.bom ? 3 : 0;
  let worker = new CsvWorker({ file, encoding, bomBytes, delimiter, maxRecordSize: MAX_RECORD_BYTES });
  const stopAndThrow = async (err: unknown): Promise<never> => {
    await worker.stop();
    throw csvError(err, file);
  };
  // Auto: a file that looks like UTF-8 at the start may still hold a Windows-1252 byte later on.
  // The threads start on the UTF-8 guess while this thread checks the whole file (~0.15 s per
  // 150 MB); a Windows-1252 byte restarts them, before anything has gone downstream.
  // A configured utf8 is checked over the whole file the same way: a bad byte anywhere fails the
  // import here, naming its offset and line, before a row goes downstream.
  if (source.encoding === 'utf8' && size > SAMPLE_BYTES) {
    const bad = await findInvalidUtf8(file).catch(stopAndThrow);
    if (bad) await stopAndThrow(notUtf8(file, bad));
  }
  if (source.encoding === 'auto' && encoding === 'utf8' && !verdict.bom && size > SAMPLE_BYTES
    && (await findInvalidUtf8(file).catch(stopAndThrow)) !== null) {
    await worker.stop();
    encoding = 'windows-1252';
    delimiter = delimiterOf(encoding);
    worker = new CsvWorker({ file, encoding, bomBytes, delimiter, maxRecordSize: MAX_RECORD_BYTES });
  }
  const header = await worker.header().catch(stopAndThrow);
  if (!header || header.every((h) => h.trim() === '')) {
    await worker.stop();
    throw new BadInputError('IMPORT_NO_HEADER', `roster file has no header row: ${file}`, { details });
  }
  const headers = header.map((h) => h.trim());
  return {
    headers, input: file, encoding: verdict.bom ? 'utf8-bom' : encoding, delimiter, totalBytes: size,
    bytesRead: () => worker.bytes,
    threadCpuSeconds: () => worker.cpuSeconds,
    async copyRows(format, write) {
      try {
        return await worker.run(format, write);
      } catch (err) {
        throw csvError(err, file);
      } finally {
        await worker.stop();
      }
    },
    close: () => worker.stop(),
  };
}

/**
 * Heap limits of the two import threads. Both allocate short-lived objects (a batch of records
 * at a time). The parse thread's garbage is simple: a 16 MB young generation suffices (8 MB cost
 * it ~15% more CPU in scavenges). The format thread makes ~1.5 KB of garbage a row: with 16 MB
 * it spent ~0.9 s per 1M rows in 465 scavenges, with 32 MB ~0.6 s in 260, for ~20 MB more peak
 * RSS (~255 MB in all on a 1M-row file, 180-220 MB with the image's 4 MB semi-spaces on the main
 * thread; V8's default would grow to 48 MB each). The old-generation cap turns a runaway (a bug,
 * a pathological file) into a failed import, not a process killed for memory.
 */
// The threads' code: compiled (dist/, `npm run build`), plain modules beside the bundle; in
// development and tests the format thread's TypeScript loads through tsx (csv-import-worker.mjs).
const PARSE_THREAD = COMPILED ? pathToFileURL(path.join(DIST_DIR, 'csv-parse-worker.mjs')) : new URL('./csv-parse-worker.mjs', import.meta.url);
const FORMAT_THREAD = COMPILED ? pathToFileURL(path.join(DIST_DIR, 'csv-import-worker.js')) : new URL('./csv-import-worker.mjs', import.meta.url);
const PARSE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 };
const FORMAT_THREAD_LIMITS = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 512 };

/**
 * The main thread's side of csv-import-worker: the worker parses, normalizes and formats; this
 * side hands its COPY text to `write` in order and acknowledges each chunk once written.
 */
class CsvWorker {
  private readonly parser: Worker;
  private worker: Worker | null = null;
  private readonly queue: FromWorker[] = [];
  private waiting: (() => void) | null = null;
  private stopped = false;
  bytes = 0;
  /** CPU seconds the parse and format threads used, once they are done (Linux). */
  cpuSeconds: { parse: number | null; format: number | null } | null = null;

  /** `bomBytes`: the length of the file's UTF-8 BOM (0 or 3), which the parse thread skips. */
  constructor(data: { file: string; encoding: string; bomBytes: number; delimiter: string; maxRecordSize: number }) {
    const { port1, port2 } = new MessageChannel();
    // The parse thread starts at once; its first batches wait in the channel while the format
    // thread loads.
    this.parser = new Worker(PARSE_THREAD, { workerData: { ...data, port: port1 }, transferList: [port1], resourceLimits: PARSE_THREAD_LIMITS });
    this.watch(this.parser);
    this.startFormatThread(port2);
  }

  private startFormatThread(port: MessagePort): void {
    this.worker = new Worker(FORMAT_THREAD, { workerData: { port }, transferList: [port], resourceLimits: FORMAT_THREAD_LIMITS });
    this.worker.on('message', (m: FromWorker) => this.push(m));
    this.watch(this.worker);
  }

  private watch(w: Worker) {
    w.on('error', (err: Error & { code?: string }) => this.push({ t: 'error', code: err.code, message: err.message }));
    w.on('exit', () => this.push({ t: 'error', message: 'a CSV import thread exited unexpectedly' }));
  }

  private push(m: FromWorker) {
    this.queue.push(m);
    if (this.waiting) { const w = this.waiting; this.waiting = null; w(); }
  }

  private async next(): Promise<FromWorker> {
    while (!this.queue.length) await new Promise<void>((r) => { this.waiting = r; });
    const m = this.queue.shift()!;
    if (m.t === 'error') throw Object.assign(new Error(m.message), { code: m.code, lines: m.lines, row: m.record === undefined ? undefined : m.record + 1 });
    if ('bytes' in m) this.bytes = m.bytes;
    return m;
  }

  /** The first record, or null when the file has none. */
  async header(): Promise<string[] | null> {
    const m = await this.next();
    if (m.t === 'header') return m.cells;
    if (m.t === 'end') return null;
    throw new Error(`unexpected ${m.t} from the CSV worker before the header`);
  }

  async run(format: RowFormatConfig, write: CopyWrite): Promise<RowCounts> {
    const worker = this.worker!; // it sent the header
    worker.postMessage({ t: 'start', format } satisfies ToWorker);
    for (;;) {
      const m = await this.next();
      if (m.t === 'end') {
        this.cpuSeconds = m.cpuSeconds;
        return m.counts;
      }
      if (m.t !== 'chunk') throw new Error(`unexpected ${m.t} from the CSV worker`);
      await write(m.data, m.rows); // resolves once the chunk's memory is free again
      worker.postMessage({ t: 'ack', data: m.data } satisfies ToWorker, [m.data.buffer as ArrayBuffer]);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const threads = this.worker ? [this.parser, this.worker] : [this.parser];
    for (const w of threads) w.removeAllListeners('exit');
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

function csvError(err: unknown, file: string): Error {
  if (err instanceof BadInputError) return err;
  const e = err as { code?: string; message: string; lines?: number; row?: number };
  if (e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'EIO') {
    return new BadInputError('IMPORT_UNREADABLE', `cannot read roster file ${file}: ${e.code}`, { details: { file }, cause: err });
  }
  if (e.code && e.code.startsWith('CSV_')) {
    const where = e.lines ? `line ${e.lines}` : `record ${e.row}`;
    return new BadInputError('IMPORT_MALFORMED_CSV', `malformed CSV in ${file} at ${where}: ${e.message}`, {
      details: { file, row: e.row, line: e.lines, csvCode: e.code }, cause: err,
    });
  }
  return err as Error;
}

function notUtf8(file: string, bad: { offset: number; line: number }): BadInputError {
  return new BadInputError('IMPORT_UNDECODABLE', `cannot decode ${file}: not valid UTF-8 at byte offset ${bad.offset} (line ${bad.line}); configure encoding: windows-1252 if the file is not UTF-8`, {
    details: { file, offset: bad.offset, line: bad.line },
  });
}

/**
 * Streams the whole file through a UTF-8 validity check (~1 GB/s: node's isUtf8 per MB); on a
 * bad chunk, the exact byte and its line (newlines before it, counted on a second read).
 */
async function findInvalidUtf8(file: string): Promise<{ offset: number; line: number } | null> {
  let carry = Buffer.alloc(0);
  let base = 0; // file offset of buf[0]
  let bad = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = utf8Prefix(buf);
    if (!isUtf8(whole)) {
      bad = base + invalidUtf8Offset(whole);
      break;
    }
    carry = Buffer.from(buf.subarray(whole.length));
    base += whole.length;
  }
  if (bad < 0 && carry.length) bad = base + Math.max(0, invalidUtf8Offset(carry));
  if (bad < 0) return null;
  let line = 1;
  let pos = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024, end: Math.max(0, bad - 1) })) {
    const b = chunk as Buffer;
    if (pos >= bad) break;
    for (let i = b.indexOf(10); i >= 0 && pos + i < bad; i = b.indexOf(10, i + 1)) line++;
    pos += b.length;
  }
  return { offset: bad, line };
}
