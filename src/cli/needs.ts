/**
 * What each command needs, checked before its action runs (src/cli/index.ts): the settings it
 * requires (a missing one is named with the command), and the services it uses, each probed with a
 * bounded wait so that a service that is down ends the command with exit 6 and one line, not a hang.
 * A command that is not listed (demo, sim, doctor, config) checks what it needs itself.
 */
import type { Requirement } from '../config';

export interface CommandNeeds {
  /** 'database': the configured database must exist; 'server': the server must answer (migrate creates the database). */
  postgres?: 'database' | 'server';
  redis?: boolean;
  requires?: readonly Requirement[];
}

export const COMMAND_NEEDS: Readonly<Record<string, CommandNeeds>> = {
  sync: { postgres: 'database', redis: true, requires: ['updox'] },
  import: { postgres: 'database' },
  runs: { postgres: 'database' },
  run: { postgres: 'database' },
  approve: { postgres: 'database', redis: true },
  cancel: { postgres: 'database' },
  resume: { postgres: 'database', redis: true },
  'upgrade-legacy': { postgres: 'database', redis: true, requires: ['updox'] },
  audit: { postgres: 'database' },
  numbers: { postgres: 'database', redis: true, requires: ['updox'] },
  'plan-night': { postgres: 'database' },
  report: { postgres: 'database' },
  worker: { postgres: 'database', redis: true, requires: ['updox'] },
  schedule: { redis: true },
  serve: { postgres: 'database', redis: true },
  migrate: { postgres: 'server' },
};

export const needsOf = (command: string): CommandNeeds => COMMAND_NEEDS[command] ?? {};
