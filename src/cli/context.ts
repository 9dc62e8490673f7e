/** What every CLI command gets: config loading, an app for the command's lifetime, output. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createApp, type AppDeps } from '../app';
import { loadConfig, loadEnvConfig, type Config, type EnvConfig } from '../config';
import { needsOf } from './needs';

export interface CliContext {
  /** Loads and validates config (env + config file); throws ConfigError listing every problem. */
  config(overrides?: Record<string, string | undefined>): Readonly<Config>;
  /** The environment settings only, for commands that read no config file. */
  envConfig(): Readonly<EnvConfig>;
  /** Builds the app, runs fn, always closes the app. */
  withApp<T>(fn: (deps: AppDeps) => Promise<T>, overrides?: Record<string, string | undefined>): Promise<T>;
  /** Writes a line to stdout (the summary, tables, --json). Logs go to stderr. */
  print(text: string): void;
  /** The command about to run (set by the CLI before its action): its requirements apply to config(). */
  setCommand(name: string): void;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** The global --quiet: no progress output, only the result and errors. */
export const isQuiet = (program: Command): boolean => Boolean(program.opts<{ quiet?: boolean }>().quiet);

/** LOG_LEVEL from the global --quiet (error) or --verbose (debug); they win over the environment. */
export function logLevelOverride(program: Command): Record<string, string> {
  const o = program.opts<{ quiet?: boolean; verbose?: boolean }>();
  return o.verbose ? { LOG_LEVEL: 'debug' } : o.quiet ? { LOG_LEVEL: 'error' } : {};
}

export function loadDotEnv(file = '.env'): void {
  // Node >= 20.12: process.loadEnvFile. Existing variables win over the file.
  if (existsSync(file)) process.loadEnvFile(file);
}

export interface ContextIo {
  env: Record<string, string | undefined>;
  stdout: { write(s: string): unknown };
}

export function createCliContext(globalOverrides: () => Record<string, string | undefined>, io: ContextIo = { env: process.env, stdout: process.stdout }): CliContext {
  let command: string | undefined;
  const config = (overrides: Record<string, string | undefined> = {}) =>
    loadConfig(io.env, { ...globalOverrides(), ...overrides }, {
      requires: command ? needsOf(command).requires ?? [] : [],
      ...(command ? { command } : {}),
    });
  return {
    config,
    envConfig: () => loadEnvConfig(io.env, globalOverrides()),
    async withApp(fn, overrides) {
      const app = createApp(config(overrides));
      try {
        return await fn(app.deps);
      } finally {
        await app.close();
      }
    },
    print: (text) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    setCommand: (name) => { command = name; },
  };
}
