/**
 * The report's CSV attachments as they are built: rows (render-csv.ts) appended to a file as the
 * model streams them (CsvFile), or held in memory for the small sample (csvInMemory). Either is
 * read through a fresh stream per send attempt.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CSV_BOM, csvLines } from '../csv';

/** A finished CSV attachment: its row count (header excluded) and a fresh reader per send attempt. */
export interface CsvAttachment {
  readonly rows: number;
  readonly bytes: number;
  open(): Readable;
}

/** A small CSV held in memory (the sample report). */
export function csvInMemory(columns: readonly string[], rows: readonly (readonly unknown[])[]): CsvAttachment {
  const text = CSV_BOM + csvLines([columns]) + (rows.length ? csvLines(rows) : '');
  return { rows: rows.length, bytes: Buffer.byteLength(text), open: () => Readable.from([text]) };
}

/**
 * A CSV written to a file as its rows are added (in batches of 500, waiting when the disk is
 * behind), so a partner-wide report's attachment never sits whole in memory. `finish()` closes the
 * file; a write error is thrown from the next `add` or from `finish`.
 */
export class CsvFile implements CsvAttachment {
  private batch: unknown[][] = [];
  private count = 0;
  private size = 0;
  private error: Error | null = null;
  private readonly out: WriteStream;
  constructor(readonly path: string, columns: readonly string[]) {
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (err) => { this.error ??= err; });
    this.batch.push([...columns]);
  }
  get rows(): number {
    return this.count;
  }
  get bytes(): number {
    return this.size;
  }
  async add(row: unknown[]): Promise<void> {
    this.batch.push(row);
    this.count++;
    if (this.batch.length >= 500) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.batch.length) return;
    const text = (this.size === 0 ? CSV_BOM : '') + csvLines(this.batch);
    this.batch = [];
    this.size += Buffer.byteLength(text);
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
  async finish(): Promise<this> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => ((err ?? this.error) ? reject(err ?? this.error) : resolve())));
    return this;
  }
  open(): Readable {
    return createReadStream(this.path);
  }
}
