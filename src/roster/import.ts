/**
 * importRoster: stream a source (CSV file or partner DB), normalize and validate each row, stage
 * valid rows in roster_rows and bad ones (with every reason) in roster_quarantine, and record the
 * run's import stats, managed fields and input. A file-level failure throws BadInputError and
 * leaves nothing staged (one transaction, rolled back).
 */
import type { AppDeps } from '../app';
import type { RosterField, SourceConfig } from '../config';
import { setTimeout as sleep } from 'node:timers/promises';
import { BadInputError, RetryableError, SyncError } from '../errors';
import type { PracticeField } from '../practice';
import { openCsvSource } from './csv-source';
import { openDbSource } from './db-source';
import { chooseMapping, duplicateHeaders, REQUIRED_FIELDS, type Mapping } from './header-synonyms';
import { managedFieldsOf } from './managed-fields';
import type { RecordSource } from './record-source';
import { resolveCsvPath } from './resolve-path';
import { pruneStagedRuns } from './prune';
import { checkOutputTarget, writeOutputFile } from '../safe-files';
import { analyzeRosterRows, createStager } from './stage';

export interface ImportOptions {
  runId: string;
  source: SourceConfig;
  file?: string;
  mapping?: Partial<Record<RosterField, string>>;
  onProgress?: (p: { rows: number; bytes?: number; totalBytes?: number }) => void;
  errorsOut?: string;
  /** Other files this import reads (a mapping file): `errorsOut` may not be one of them. */
  inputs?: string[];
  /**
   * Stops the import (shutdown, or the run's lease lost): the staging is rolled back and
   * IMPORT_INTERRUPTED (retryable) thrown, so the next attempt reads the source again from the start.
   */
  signal?: AbortSignal;
}
export interface ImportStats { read: number; valid: number; quarantined: number; byReason: Record<string, number>; warnings: Record<string, number> }
export interface ImportResult {
  /** CPU seconds of the source's own threads (a CSV's parse and format threads, on Linux). */
  threadCpuSeconds?: Record<string, number | null> | null;
  stats: ImportStats;
  mapping: Partial<Record<RosterField, string>>;
  managedFields: PracticeField[];
  input: string;
  encoding?: string;
  delimiter?: string;
}

const PROGRESS_EVERY = 5000;

/**
 * A partner database that drops the connection, times out or is restarting is read again from
 * the start (the failed attempt's staging was rolled back), up to the source's `attempts`, with
 * exponential backoff and full jitter. A query, mapping or credentials problem is not retried.
 */
export async function importRoster(deps: AppDeps, opts: ImportOptions): Promise<ImportResult> {
  const { source } = opts;
  const attempts = source.kind === 'db' && !opts.file ? source.attempts : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await importOnce(deps, opts);
    } catch (err) {
      if (!(err instanceof SyncError) || err.kind !== 'retryable' || attempt >= attempts || source.kind !== 'db') {
        if (err instanceof SyncError && attempts > 1) err.details.attempts = attempt;
        throw err;
      }
      const waitMs = Math.round(Math.random() * Math.min(RETRY_CAP_MS, source.retryBaseMs * 2 ** (attempt - 1)));
      deps.log.warn({ runId: opts.runId, source: source.name, code: err.code, attempt, attempts, waitMs }, 'partner database read failed; retrying');
      await sleep(waitMs, undefined, opts.signal ? { signal: opts.signal } : undefined).catch(() => undefined);
      checkInterrupted(opts);
    }
  }
}

const RETRY_CAP_MS = 300_000;

function checkInterrupted(opts: ImportOptions): void {
  if (opts.signal?.aborted) {
    throw new RetryableError('IMPORT_INTERRUPTED', `run ${opts.runId}: the import stopped (shutdown or the run's lease lost); nothing of it was kept, the next attempt reads the source again`);
  }
}

async function importOnce(deps: AppDeps, opts: ImportOptions): Promise<ImportResult> {
  const { source } = opts;
  const log = deps.log.child({ runId: opts.runId, source: source.name });
  const explicit: Mapping | undefined = opts.mapping ?? source.mapping;
  const t0 = performance.now();
  const src = await openSource(source, opts, explicit);
  try {
    return await importFrom(deps, opts, src, explicit, log, t0);
  } finally {
    await src.close().catch(() => {});
  }
}

async function openSource(source: SourceConfig, opts: ImportOptions, explicit: Mapping | undefined): Promise<RecordSource> {
  if (source.kind === 'csv' || opts.file) {
    const file = opts.file ?? (source.kind === 'csv' ? await resolveCsvPath(source.path) : '');
    const csv = source.kind === 'csv' ? source : { encoding: 'auto' as const, delimiter: 'auto' as const };
    return openCsvSource(file, csv);
  }
  return openDbSource(source, explicit ? [...new Set(Object.values(explicit))] : []);
}

async function importFrom(deps: AppDeps, opts: ImportOptions, src: RecordSource, explicit: Mapping | undefined, log: AppDeps['log'], t0: number): Promise<ImportResult> {
  // Milliseconds since the import began, per phase end (logged with the result).
  const at: Record<string, number> = { header: Math.round(performance.now() - t0) };
  const mark = (phase: string) => { at[phase] = Math.round(performance.now() - t0); };
  const { source } = opts;
  const where = src.input;
  const dups = duplicateHeaders(src.headers);
  if (dups.length) {
    throw new BadInputError('IMPORT_DUPLICATE_HEADER', `${where}: duplicate header(s): ${dups.join(', ')}`, { details: { input: where, headers: dups } });
  }
  const choice = chooseMapping(src.headers, explicit);
  if (choice.missing.length) {
    const required = choice.missing.filter((m) => REQUIRED_FIELDS.includes(m.field));
    const code = required.length ? 'IMPORT_REQUIRED_FIELD_UNMAPPED' : 'IMPORT_MAPPED_COLUMN_MISSING';
    throw new BadInputError(code, `${where}: mapped column(s) not found: ${choice.missing.map((m) => `${m.field} → "${m.header}"`).join(', ')}; columns are: ${preview(src.headers)}${delimiterHint(src)}`, {
      details: { input: where, missing: choice.missing },
    });
  }
  const unmapped = REQUIRED_FIELDS.filter((f) => choice.index[f] === undefined);
  if (unmapped.length && !explicit && Object.keys(choice.index).length === 0 && src.headers.some((h) => /\d/.test(h))) {
    throw new BadInputError('IMPORT_NO_HEADER', `${where}: the first row looks like data, not a header: ${preview(src.headers)}`, { details: { input: where } });
  }
  if (unmapped.length) {
    throw new BadInputError('IMPORT_REQUIRED_FIELD_UNMAPPED', `${where}: required field(s) ${unmapped.join(', ')} not mapped (no mapping given and no header matched); columns are: ${preview(src.headers)}${delimiterHint(src)}`, {
      details: { input: where, unmapped },
    });
  }
  const mapping = choice.mapping;
  const mappedFields = Object.keys(choice.index) as RosterField[];
  const managedFields = managedFieldsOf(mappedFields, source.timeZoneFromState);
  log.info({ mapping, input: where, encoding: src.encoding, delimiter: src.delimiter }, 'import started');

  // Checked before staging: an --errors path that is an input, or in a missing folder, fails now.
  const inputs = [source.kind === 'csv' || opts.file ? src.input : undefined, deps.config.configFile, ...(opts.inputs ?? [])];
  if (opts.errorsOut) await checkOutputTarget(opts.errorsOut, inputs, '--errors');
  const stager = await createStager(deps.db, opts.runId);
  let rows = 0;
  try {
    const copied = await src.copyRows({ runId: opts.runId, headers: src.headers, index: choice.index, source }, async (chunk, n) => {
      checkInterrupted(opts);
      await stager.write(chunk);
      if (opts.onProgress && Math.floor((rows + n) / PROGRESS_EVERY) > Math.floor(rows / PROGRESS_EVERY)) {
        opts.onProgress({ rows: rows + n, bytes: src.bytesRead(), totalBytes: src.totalBytes });
      }
      rows += n;
    });
    mark('copied');
    const { read, warnings } = copied;
    if (read === 0) throw new BadInputError('IMPORT_NO_ROWS', `${where}: the roster has a header but no rows`, { details: { input: where } });
    const moved = await stager.finish(copied);
    mark('moved');
    const byReason = await stager.reasons();
    const stats: ImportStats = { read, valid: moved.valid, quarantined: moved.quarantined, byReason, warnings };
    opts.onProgress?.({ rows: read, bytes: src.bytesRead(), totalBytes: src.totalBytes });
    if (opts.errorsOut) await writeOutputFile(opts.errorsOut, inputs, '--errors', (tmp) => stager.writeErrors(tmp));
    if (stats.quarantined / read > source.maxInvalidShare) {
      throw new BadInputError('IMPORT_TOO_MANY_INVALID', `${where}: ${stats.quarantined} of ${read} rows are invalid (more than ${Math.round(source.maxInvalidShare * 100)}%); top reasons: ${topReasons(byReason)}`, {
        details: { input: where, stats },
      });
    }
    const importStats = { ...stats, mapping, encoding: src.encoding, delimiter: src.delimiter };
    checkInterrupted(opts);
    await stager.updateRun({ importStats, managedFields, input: src.input });
    await stager.commit();
    mark('committed');
    await analyzeRosterRows(deps.db).catch(() => undefined);
    mark('analyzed');
    // Older imports' staged rows go (best effort: the import itself is done and committed).
    await pruneStagedRuns(deps.db, opts.runId, deps.config.staging.keepRuns).then(
      (p) => { if (p.runs) log.info(p, 'pruned the staged rows of older imports'); },
      (err: Error) => log.warn({ err: err.message }, 'could not prune the staged rows of older imports'),
    );
    mark('pruned');
    const threadCpuSeconds = src.threadCpuSeconds?.();
    log.info({ read, valid: stats.valid, quarantined: stats.quarantined, ms: at, threadCpuSeconds }, 'import finished');
    return { stats, mapping, managedFields, input: src.input, encoding: src.encoding, delimiter: src.delimiter, threadCpuSeconds };
  } catch (err) {
    await stager.rollback();
    throw err;
  }
}

const preview = (headers: readonly string[]) => {
  const shown = headers.slice(0, 12).map((h) => `"${h.length > 40 ? h.slice(0, 40) + '…' : h}"`).join(', ');
  return headers.length > 12 ? `${shown}, … (${headers.length} in all)` : shown;
};

function delimiterHint(src: RecordSource): string {
  if (src.headers.length !== 1 || !src.delimiter) return '';
  const other = [',', ';', '\t', '|'].find((d) => d !== src.delimiter && src.headers[0]!.includes(d));
  return other ? ` (the header holds "${other === '\t' ? '\\t' : other}": wrong delimiter? this file was read with "${src.delimiter === '\t' ? '\\t' : src.delimiter}")` : '';
}

export const topReasons = (byReason: Record<string, number>, n = 3): string =>
  Object.entries(byReason).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';

