/** What the CSV and partner-DB sources yield: a header row, then records of string cells. */
export interface SourceRecord {
  /** 1-based record number; the header is 1 for a CSV, so the first data row is 2. */
  row: number;
  cells: (string | null)[];
}

export interface RecordSource {
  headers: string[];
  records: AsyncIterable<SourceRecord>;
  /** What was read, for runs.input: a file path or a query description (never a URL). */
  input: string;
  encoding?: string;
  delimiter?: string;
  totalBytes?: number;
  bytesRead(): number;
  close(): Promise<void>;
}
