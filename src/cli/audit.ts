/**
 * `updox-sync audit`: audit every practice's SMS business details (stores status, findings and
 * history), then list them — a table, a CSV file (--csv) or JSON (--json).
 */
import path from 'node:path';
import { Option } from 'commander';
import { BadInputError, SyncError } from '../errors';
import { writeOutputFile } from '../safe-files';
import { auditPractices } from '../sms/audit';
import { formatAuditTable, streamAuditRows, writeAuditCsv, type AuditRow } from '../sms/audit-export';
import type { AuditStatus } from '../sms/business-details';
import type { RegisterCommand } from './context';

interface Opts { status?: AuditStatus; csv?: string; json?: boolean; account?: string[] }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('audit')
    .description('audit SMS business details of every practice and list the result')
    .addOption(new Option('--status <status>', 'list only practices with this status').choices(['incomplete', 'warnings', 'complete']))
    .option('--csv <file>', 'write the list to a CSV file (safe to open in a spreadsheet)')
    .option('--account <id...>', 'audit only these accounts')
    .option('--json', 'print the summary and the list as JSON')
    .action(async (opts: Opts) => {
      await ctx.withApp(async (deps) => {
        const stats = await auditPractices(deps, opts.account ? { accountIds: opts.account } : {});
        const rows = streamAuditRows(deps.db, opts.status ? { status: opts.status } : {});
        if (opts.csv) {
          const file = path.resolve(opts.csv);
          let written: number;
          try {
            written = await writeOutputFile(file, [deps.config.configFile], '--csv', (tmp) => writeAuditCsv(rows, tmp));
          } catch (err) {
            if (err instanceof SyncError) throw err;
            throw new BadInputError('AUDIT_CSV_WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
          }
          ctx.print(opts.json ? JSON.stringify({ ...stats, csv: file, rows: written })
            : `${summary(stats)}\nwrote ${written} practice(s) to ${file}`);
          return;
        }
        if (opts.json) {
          // One JSON document, written a page of practices at a time (a line each) so that the
          // list never sits whole in memory.
          ctx.print(`${JSON.stringify(stats).slice(0, -1)},"practices":[`);
          let page: string[] = [];
          let printed = 0;
          const flush = () => {
            if (page.length) ctx.print(`${printed ? ',' : ''}${page.join(',\n')}`);
            printed += page.length;
            page = [];
          };
          for await (const r of rows) {
            page.push(JSON.stringify(r));
            if (page.length === 1000) flush();
          }
          flush();
          ctx.print(']}');
          return;
        }
        ctx.print(summary(stats));
        let page: AuditRow[] = [];
        for await (const r of rows) {
          page.push(r);
          if (page.length === 1000) {
            ctx.print(formatAuditTable(page));
            page = [];
          }
        }
        if (page.length) ctx.print(formatAuditTable(page));
      });
    });
};

const summary = (s: { audited: number; complete: number; warnings: number; incomplete: number; changed: number }) =>
  `audited ${s.audited} practice(s): ${s.complete} complete, ${s.warnings} with warnings, ${s.incomplete} incomplete; ${s.changed} changed since the last audit`;
