/**
 * Streams a CSV file as records (csv-parse). Detects encoding (UTF-8 ± BOM, else Windows-1252)
 * and delimiter unless configured. File-level problems throw BadInputError with a distinct code.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse';
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

  let bytes = 0;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  stream.on('data', (c) => { bytes += c.length; });
  const parser = parse({
    bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
    skip_records_with_empty_values: true, max_record_size: MAX_RECORD_BYTES,
  });
  stream.on('error', (err) => parser.destroy(err));
  if (encoding === 'utf8') stream.pipe(parser);
  else stream.pipe(iconv.decodeStream('win1252')).pipe(parser);

  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await nextOrThrow(iterator, file, 1);
  if (first.done || first.value.every((h) => h.trim() === '')) {
    stream.destroy();
    throw new BadInputError('IMPORT_NO_HEADER', `roster file has no header row: ${file}`, { details });
  }
  const headers = first.value.map((h) => h.trim());
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 1;
    try {
      for (;;) {
        const r = await nextOrThrow(iterator, file, row + 1);
        if (r.done) return;
        row++;
        yield { row, cells: r.value };
      }
    } finally {
      stream.destroy();
    }
  }
  return {
    headers, records: records(), input: file, encoding: verdict.bom ? 'utf8-bom' : encoding,
    delimiter, totalBytes: size, bytesRead: () => bytes,
    close: async () => void stream.destroy(),
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
