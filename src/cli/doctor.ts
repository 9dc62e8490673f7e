/**
 * `updox-sync doctor [--json]`: checks the whole set-up (src/doctor/checks.ts) and prints a table,
 * or JSON; exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
import { doctorExitCode, formatChecks } from '../doctor/check';
import { runChecks } from '../doctor/checks';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('doctor')
    .description('check the set-up: config, Postgres and migrations, Redis (noeviction, persistence), Updox credentials and SMS activation, SMTP, partner databases, webhook secret')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = program.opts<{ config?: string }>().config;
      const results = await runChecks(process.env, config ? { UPDOX_SYNC_CONFIG: config } : {});
      const code = doctorExitCode(results);
      ctx.print(opts.json ? JSON.stringify({ ok: code === 0, checks: results }) : formatChecks(results));
      process.exitCode = code;
    });
};
