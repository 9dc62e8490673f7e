/** Shared setup for the roster integration tests: an app on a fresh DB, a runs row, a source. */
import path from 'node:path';
import { createApp, type App } from '../../../src/app';
import { loadConfig, sourceSchema, type SourceConfig } from '../../../src/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testEnv } from '../../helpers/env';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const MAPPINGS = path.join(REPO, 'config/mappings');

export interface RosterTestApp {
  tdb: TestDatabase;
  app: App;
  newRun(source?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startRosterApp(env: Record<string, string | undefined> = {}): Promise<RosterTestApp> {
  const tdb = await createTestDatabase();
  const app = createApp(loadConfig(testEnv({ DATABASE_URL: tdb.url, ...env })));
  return {
    tdb,
    app,
    async newRun(source = 'test') {
      const [row] = await tdb.db('runs').insert({ kind: 'import', partner_id: 'test-partner', source: `${source}-${Math.random().toString(36).slice(2, 8)}`, status: 'importing', trigger: 'test' }).returning('id');
      return (row as { id: string }).id;
    },
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
}

/** A csv source config with defaults applied (as loadConfig would). */
export function csvSource(over: Record<string, unknown> = {}): SourceConfig {
  return sourceSchema.parse({ name: 't', kind: 'csv', path: '/nonexistent.csv', ...over }) as SourceConfig;
}
