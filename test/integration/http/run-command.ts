/**
 * Runs ONE command module as the CLI would (commander + the real CliContext), without loading the
 * other commands: `tsx run-command.ts <module> <args…>`. Used by the CLI subprocess tests.
 */
import { Command } from 'commander';
import { createCliContext, type RegisterCommand } from '../../../src/cli/context';
import { SyncError } from '../../../src/errors';

const [moduleName, ...args] = process.argv.slice(2);
const mod = (await import(`../../../src/cli/${moduleName}.ts`)) as { register: RegisterCommand };
const program = new Command('updox-sync').exitOverride();
mod.register(program, createCliContext(() => ({})));
try {
  await program.parseAsync(['node', 'updox-sync', ...args]);
  process.exit(0);
} catch (err) {
  process.stderr.write(err instanceof SyncError ? `error [${err.code}]: ${err.message}\n` : `error: ${(err as Error).message}\n`);
  process.exit(err instanceof SyncError && err.halt ? 5 : 1);
}
