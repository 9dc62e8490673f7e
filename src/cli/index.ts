/**
 * `updox-sync` CLI. One file per command under src/cli/ (each exports `register`). Errors map to
 * exit codes (README "Exit codes"): usage 2, bad input 3, held 4, halted 5, services missing 6.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, EXIT, SyncError } from '../errors';
import { createCliContext, loadDotEnv, type RegisterCommand } from './context';

const COMMANDS = [
  'demo', 'sync', 'import', 'runs', 'run', 'approve', 'upgrade-legacy', 'audit', 'numbers', 'report',
  'worker', 'schedule', 'serve', 'sim', 'migrate',
] as const;

async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  const program = new Command('updox-sync')
    .description('Sync a partner roster into Updox, audit SMS readiness, track number verification, report to managers.')
    .option('-c, --config <file>', 'config file (YAML or JSON); default $UPDOX_SYNC_CONFIG or config/example.yaml')
    .showHelpAfterError('(run `updox-sync --help` for usage)')
    .exitOverride();
  const ctx = createCliContext(() => {
    const o = program.opts<{ config?: string }>();
    return o.config ? { UPDOX_SYNC_CONFIG: o.config } : {};
  });
  for (const name of COMMANDS) {
    const mod = (await import(`./${name}.ts`)) as { register: RegisterCommand };
    mod.register(program, ctx);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    return handleError(err);
  }
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander already printed a one-line error
  }
  if (err instanceof ConfigError) {
    // One line, every problem named (the issue asks for a one-line error and exit code 2).
    process.stderr.write(`error: invalid configuration: ${err.problems.join('; ')}\n`);
    return EXIT.usage;
  }
  if (err instanceof SyncError) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    if (err.halt) return EXIT.halted;
    return err.kind === 'bad-input' ? EXIT.badInput : EXIT.failure;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  return EXIT.failure;
}

const code = await main(process.argv);
// Give stdout a tick to flush, then exit even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
