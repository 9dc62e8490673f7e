/**
 * `updox-sync config [--json]`: the effective configuration (environment and config file, defaults
 * filled in, paths resolved) with every secret masked, as YAML or JSON. Refuses an invalid
 * configuration as every command does, naming each problem.
 */
import { stringify } from 'yaml';
import { maskedConfig } from '../config-mask';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('config')
    .description('print the effective configuration (environment + config file, defaults filled in) with secrets masked')
    .option('--json', 'print it as JSON')
    .action((opts: { json?: boolean }) => {
      const shown = maskedConfig(ctx.config(), process.env);
      // JSON drops unset values; YAML shows them as null, so that what is not set is visible.
      ctx.print(opts.json ? JSON.stringify(shown) : stringify(shown, (_k, v: unknown) => (v === undefined ? null : v)).trimEnd());
    });
};
