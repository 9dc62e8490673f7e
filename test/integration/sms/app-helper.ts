/** An AppDeps on a fresh test database with a controllable clock, for the SMS and HTTP tests. */
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testEnv } from '../../helpers/env';
import { deleteKeys, testPrefix } from '../../helpers/redis';

export interface TestClock { now(): Date; set(d: Date): void; advance(ms: number): void }

export function testClock(start = new Date()): TestClock {
  let t = start.getTime();
  return { now: () => new Date(t), set: (d) => void (t = d.getTime()), advance: (ms) => void (t += ms) };
}

export interface SmsTestApp { app: App; tdb: TestDatabase; clock: TestClock; prefix: string; close(): Promise<void> }

export async function createSmsTestApp(env: Record<string, string | undefined> = {}, clock = testClock()): Promise<SmsTestApp> {
  const tdb = await createTestDatabase();
  const prefix = testPrefix('sms');
  const config = loadConfig(testEnv({ DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, ...env }));
  const app = createApp(config, { clock, dbPool: { min: 0, max: 8 } });
  return {
    app, tdb, clock, prefix,
    async close() {
      await app.close();
      await tdb.drop();
      await deleteKeys(prefix);
    },
  };
}

/** Insert minimal practices rows (active, with the given values). */
export async function seedPractices(app: App, rows: Array<Record<string, unknown> & { account_id: string }>): Promise<void> {
  await app.deps.db('practices').insert(rows.map((r) => ({ active: true, api_version: '1.1', ...r })));
}
