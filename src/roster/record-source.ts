/**
 * What the CSV and partner-DB sources offer the importer: a header row, then every record turned
 * into COPY text by a row formatter (copy-rows.ts). A CSV source does that on its own worker
 * thread; a database source on the caller's, from the records its cursor yields.
 */
import { createRowFormatter, type RowCounts, type RowFormatConfig } from './copy-rows';

export interface SourceRecord {
  /** 1-based record number; the header is 1, so the first data row is 2. */
  row: number;
  cells: (string | null)[];
}

/** Receives COPY text; resolves when it may be called again (back-pressure). */
export type CopyWrite = (chunk: string | Uint8Array, rows: number) => Promise<void>;

export interface RecordSource {
  headers: string[];
  /** Formats every record with `format` and hands the COPY text to `write`, in order. */
  copyRows(format: RowFormatConfig, write: CopyWrite): Promise<RowCounts>;
  /** What was read, for runs.input: a file path or a query description (never a URL). */
  input: string;
  encoding?: string;
  delimiter?: string;
  totalBytes?: number;
  bytesRead(): number;
  /** CPU seconds of the source's own threads, once done (a CSV's parse and format threads). */
  threadCpuSeconds?(): Record<string, number | null> | null;
  close(): Promise<void>;
}

const CHUNK_CHARS = 64 * 1024;

/** copyRows for a source of records read on this thread (a database cursor). */
export async function copyRecords(records: AsyncIterable<SourceRecord>, format: RowFormatConfig, write: CopyWrite): Promise<RowCounts> {
  const formatter = createRowFormatter(format);
  let out = '';
  let rows = 0;
  for await (const rec of records) {
    out += formatter.line(rec.row, rec.cells);
    rows++;
    if (out.length >= CHUNK_CHARS) {
      await write(out, rows);
      out = '';
      rows = 0;
    }
  }
  if (out) await write(out, rows);
  return formatter.counts;
}
