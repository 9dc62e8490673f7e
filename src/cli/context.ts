/** What every CLI command gets: config loading, an app for the command's lifetime, output. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createApp, type AppDeps } from '../app';
import { loadConfig, type Config } from '../config';

export interface CliContext {
  /** Loads and validates config (env + config file); throws ConfigError listing every problem. */
  config(overrides?: Record<string, string | undefined>): Readonly<Config>;
  /** Builds the app, runs fn, always closes the app. */
  withApp<T>(fn: (deps: AppDeps) => Promise<T>, overrides?: Record<string, string | undefined>): Promise<T>;
  /** Writes a line to stdout (the summary, tables, --json). Logs go to stderr. */
  print(text: string): void;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export function loadDotEnv(file = '.env'): void {
  // Node >= 20.12: process.loadEnvFile. Existing variables win over the file.
  if (existsSync(file)) process.loadEnvFile(file);
}

export function createCliContext(globalOverrides: () => Record<string, string | undefined>): CliContext {
  const config = (overrides: Record<string, string | undefined> = {}) =>
    loadConfig(process.env, { ...globalOverrides(), ...overrides });
  return {
    config,
    async withApp(fn, overrides) {
      const app = createApp(config(overrides));
      try {
        return await fn(app.deps);
      } finally {
        await app.close();
      }
    },
    print: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}
