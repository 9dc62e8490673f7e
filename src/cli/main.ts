/**
 * The `updox-sync` CLI (src/cli/index.ts runs it). One file per command under src/cli/ (each exports `register`). Before a
 * command's action, its needs (src/cli/needs.ts) are checked: settings, then services, with a
 * bounded wait. Errors map to exit codes (README "Exit codes"): usage 2, bad input 3, held 4,
 * halted 5, services missing 6; with --json the failure is also printed as JSON on stdout.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, EXIT, SyncError } from '../errors';
import { VERSION } from '../paths';
import { probePostgres, probeRedis, ServiceUnavailableError } from '../preflight';
import { createCliContext, loadDotEnv, logLevelOverride, type CliContext, type RegisterCommand } from './context';
import { asServiceError } from './service-errors';
import { needsOf } from './needs';

// Imported statically (not by a computed name) so that the compiled bundle holds every command.
const COMMANDS: Record<string, () => Promise<{ register: RegisterCommand }>> = {
  demo: () => import('./demo'),
  sync: () => import('./sync'),
  import: () => import('./import'),
  runs: () => import('./runs'),
  run: () => import('./run'),
  approve: () => import('./approve'),
  cancel: () => import('./cancel'),
  resume: () => import('./resume'),
  'upgrade-legacy': () => import('./upgrade-legacy'),
  audit: () => import('./audit'),
  numbers: () => import('./numbers'),
  'plan-night': () => import('./plan-night'),
  report: () => import('./report'),
  worker: () => import('./worker'),
  schedule: () => import('./schedule'),
  serve: () => import('./serve'),
  sim: () => import('./sim'),
  migrate: () => import('./migrate'),
  config: () => import('./config'),
  doctor: () => import('./doctor'),
};

/** Where the CLI reads its environment and writes; tests pass their own. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Load ./.env into env first (the real CLI does). */
  dotenv: boolean;
}

const PROCESS_IO: CliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr, dotenv: true };

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  if (io.dotenv) loadDotEnv();
  const program = new Command('updox-sync')
    .description('Sync a partner roster into Updox, audit SMS readiness, track number verification, report to managers.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (YAML or JSON); default $UPDOX_SYNC_CONFIG or config/example.yaml')
    .option('-q, --quiet', 'no progress output and only errors in the log (LOG_LEVEL=error)')
    .option('-v, --verbose', 'debug logs (LOG_LEVEL=debug), including each Updox call')
    .showHelpAfterError('(run `updox-sync --help` for usage)')
    .exitOverride();
  const ctx = createCliContext(() => {
    const o = program.opts<{ config?: string }>();
    return { ...(o.config ? { UPDOX_SYNC_CONFIG: o.config } : {}), ...logLevelOverride(program) };
  }, io);
  program.configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  for (const load of Object.values(COMMANDS)) (await load()).register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride();
  program.hook('preAction', async (_root, action) => {
    ctx.setCommand(action.name());
    await checkNeeds(ctx, action.name());
  });
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    return handleError(err, ctx, io, argv.includes('--json'));
  }
}

/** Settings first (every problem at once), then the services, probed together. */
async function checkNeeds(ctx: CliContext, command: string): Promise<void> {
  const needs = needsOf(command);
  if (!needs.postgres && !needs.redis && !needs.requires) return;
  const config = needs.postgres === 'server' ? ctx.envConfig() : ctx.config();
  const [pgProblem, redisProblem] = await Promise.all([
    needs.postgres ? probePostgres(config.databaseUrl) : null,
    needs.redis ? probeRedis(config.redisUrl) : null,
  ]);
  // migrate creates a missing database.
  const problems = [needs.postgres === 'server' && pgProblem?.code === 'POSTGRES_DATABASE_MISSING' ? null : pgProblem, redisProblem]
    .filter((p): p is ServiceUnavailableError => p !== null);
  const [first] = problems;
  if (first) throw new ServiceUnavailableError(first.service, first.code as never, problems.map((p) => p.message).join('; '));
}

function handleError(err: unknown, ctx: CliContext, io: CliIo, json: boolean): number {
  const printJson = (code: string, message: string, exitCode: number) =>
    io.stdout.write(`${JSON.stringify({ ok: false, error: { code, message }, exitCode })}\n`);
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    if (json) printJson(err.code, err.message.replace(/^error: /, ''), EXIT.usage);
    return EXIT.usage; // commander already printed a one-line error
  }
  const failure = describe(asServiceError(err, ctx) ?? err, io.env);
  io.stderr.write(`${failure.line}\n`);
  if (failure.stack) io.stderr.write(`${failure.stack}\n`);
  if (json) printJson(failure.code, failure.message, failure.exit);
  return failure.exit;
}

interface Failure { code: string; message: string; line: string; exit: number; stack?: string }

function describe(err: unknown, env: CliIo['env']): Failure {
  if (err instanceof ConfigError) {
    // One line, every problem named.
    const message = `invalid configuration: ${err.problems.join('; ')}`;
    return { code: err.code, message, line: `error: ${message}`, exit: EXIT.usage };
  }
  if (err instanceof ServiceUnavailableError || (err instanceof SyncError && err.code === 'SERVICES_MISSING')) {
    return { code: err.code, message: err.message, line: `error [${err.code}]: ${err.message}`, exit: EXIT.servicesMissing };
  }
  if (err instanceof SyncError) {
    const exit = err.halt ? EXIT.halted : err.kind === 'bad-input' ? EXIT.badInput : EXIT.failure;
    return { code: err.code, message: err.message, line: `error [${err.code}]: ${err.message}`, exit };
  }
  // Not one of ours: a bug or an unforeseen failure. The stack only when asked for (LOG_LEVEL=debug).
  const e = err instanceof Error ? err : new Error(String(err));
  const verbose = ['debug', 'trace'].includes(env.LOG_LEVEL ?? '');
  return {
    code: 'UNEXPECTED', message: e.message, exit: EXIT.failure,
    line: `error: ${e.message}${verbose ? '' : ' (LOG_LEVEL=debug shows where)'}`,
    ...(verbose && e.stack ? { stack: e.stack } : {}),
  };
}

