/**
 * `updox-sync import --source NAME | --file PATH [--mapping FILE] [--json] [--errors OUT.csv]`:
 * creates an import run, streams the roster into roster_rows, prints the mapping chosen and the
 * counts. A file-level failure marks the run failed and exits 3 (BadInputError).
 */
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { AppDeps } from '../app';
import { sourceSchema, type SourceConfig } from '../config';
import { BadInputError, coerceError, SyncError } from '../errors';
import { importRoster, topReasons, type ImportResult } from '../roster/import';
import { loadMappingFile } from '../roster/mapping-file';
import { attemptId, createRun, failRun, finishRun, startStep, withRunLease } from '../runs';
import { isQuiet, type RegisterCommand } from './context';

interface Flags { source?: string; file?: string; mapping?: string; json?: boolean; errors?: string }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('import')
    .description('import a roster (a configured source, or a CSV file) into roster_rows; prints counts and quarantine reasons')
    .option('--source <name>', 'a source from the config file')
    .option('--file <path>', 'a CSV file (overrides the source path; without --source a CSV source with defaults is used)')
    .option('--mapping <file>', 'a mapping file (YAML/JSON: field: header) overriding the source mapping')
    .option('--errors <out.csv>', 'write quarantined rows with their reasons to this CSV')
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags) => {
      if (!flags.source && !flags.file) throw new BadInputError('IMPORT_NO_SOURCE', 'give --source NAME or --file PATH');
      await ctx.withApp(async (deps) => {
        const source = pickSource(deps, flags);
        const mapping = flags.mapping ? await loadMappingFile(flags.mapping) : undefined;
        const file = flags.file ? path.resolve(flags.file) : undefined;
        const errorsOut = flags.errors ? path.resolve(flags.errors) : undefined;
        const owner = attemptId('cli');
        const created = await createRun(deps.db, { kind: 'import', partnerId: deps.config.partner.id, source: flags.source ?? 'file', dryRun: false, trigger: 'cli', owner });
        if (created.skipped) throw new BadInputError('RUN_IN_PROGRESS', created.run.error_message ?? 'another import of this source is in progress');
        const runId = created.run.id;
        await startStep(deps.db, runId, 'import', owner);
        const bar = process.stderr.isTTY && !flags.json && !isQuiet(program) ? makeBar() : null;
        let result: ImportResult;
        try {
          result = await withRunLease(deps.db, runId, owner, () => importRoster(deps, { runId, source, file, mapping, errorsOut, inputs: flags.mapping ? [path.resolve(flags.mapping)] : [], onProgress: bar?.update }));
          bar?.stop();
          await finishRun(deps.db, runId);
        } catch (err) {
          bar?.stop();
          const e = coerceError(err);
          await failRun(deps.db, runId, { code: e instanceof SyncError ? e.code : 'IMPORT_FAILED', message: e.message });
          throw err;
        }
        if (flags.json) ctx.print(JSON.stringify({ runId, ...result }));
        else ctx.print(render(runId, result, errorsOut));
      });
    });
};

function pickSource(deps: AppDeps, flags: Flags): SourceConfig {
  if (flags.source) {
    const s = deps.config.sources.find((x) => x.name === flags.source);
    if (!s) throw new BadInputError('IMPORT_UNKNOWN_SOURCE', `no source "${flags.source}" in ${deps.config.configFile}; sources: ${deps.config.sources.map((x) => x.name).join(', ')}`);
    return s;
  }
  // --file alone: a CSV source with defaults; the first configured source lends accountId and assign rules.
  const base = deps.config.sources[0];
  return sourceSchema.parse({ name: 'file', kind: 'csv', path: flags.file, ...(base ? { accountId: base.accountId, assign: base.assign } : {}) }) as SourceConfig;
}

function makeBar() {
  const bar = new SingleBar({
    format: 'importing |{bar}| {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}',
    stream: process.stderr, hideCursor: true, etaBuffer: 50,
  }, Presets.shades_classic);
  const t0 = Date.now();
  let started = false;
  return {
    update: (p: { rows: number; bytes?: number; totalBytes?: number }) => {
      const total = p.totalBytes ?? 0;
      const payload = { rows: p.rows, speed: Math.round(p.rows / Math.max(0.001, (Date.now() - t0) / 1000)) };
      if (!started) {
        bar.start(total || 1, 0, payload);
        started = true;
      }
      bar.update(total ? Math.min(p.bytes ?? 0, total) : 0, payload);
    },
    stop: () => started && bar.stop(),
  };
}

function render(runId: string, r: ImportResult, errorsOut?: string): string {
  const s = r.stats;
  const lines = [
    `run ${runId}`,
    `input     ${r.input}${r.encoding ? ` (${r.encoding}, delimiter ${JSON.stringify(r.delimiter)})` : ''}`,
    'mapping',
    ...Object.entries(r.mapping).map(([f, h]) => `  ${f.padEnd(22)} ← ${h}`),
    `managed   ${r.managedFields.join(', ')}`,
    '',
    `  read         ${String(s.read).padStart(9)}`,
    `  valid        ${String(s.valid).padStart(9)}`,
    `  quarantined  ${String(s.quarantined).padStart(9)}`,
  ];
  const reasons = Object.entries(s.byReason).sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (reasons.length) lines.push('', 'top quarantine reasons', ...reasons.map(([k, n]) => `  ${k.padEnd(32)} ${String(n).padStart(8)}`));
  const warns = Object.entries(s.warnings).sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (warns.length) lines.push('', 'warnings (rows)', ...warns.map(([k, n]) => `  ${k.padEnd(32)} ${String(n).padStart(8)}`));
  if (errorsOut) lines.push('', `quarantined rows written to ${errorsOut}`);
  else if (s.quarantined) lines.push('', `(${topReasons(s.byReason)}; --errors OUT.csv writes them out)`);
  return lines.join('\n');
}
