/**
 * A whole sync against the simulator, in this process: a config file and roster CSV of its own
 * (source `pass`, full roster), a fresh database and Redis prefix, the real client, and the same
 * pipeline `updox-sync sync` runs in process (import → snapshot + plan → apply). For the
 * pass-through and read-shape tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { runSourceStepsInProcess } from '../../../src/pipeline/in-process';
import { openSyncRun } from '../../../src/pipeline/open';
import { attemptId, getRun, type RunRow } from '../../../src/runs';
import { simulatorAdmin, startSimulator, type ReadShape, type SimulatorAdmin } from '../../../src/simulator/index';
import { testEnv, TEST_APP_ID, TEST_APP_PASSWORD } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { deleteKeys, testPrefix } from '../../helpers/redis';

export const HEADER = 'practice_id,practice_name,address1,address2,city,state,zip,phone,fax,website,alt_website,time_zone,manager_email';

export interface SyncWorld {
  app: App;
  admin: SimulatorAdmin;
  sim: Awaited<ReturnType<typeof startSimulator>>;
  tdb: TestDatabase;
  /** Writes the roster file (CSV lines without the header). */
  roster(lines: string[]): void;
  /** One `updox-sync sync` of the source; returns the run as it ended. */
  sync(): Promise<RunRow>;
  /** PracticeGet over the wire, as the vendor answers it (the whole `practice` object). */
  remote(accountId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function createSyncWorld(opts: { readShape?: ReadShape; env?: Record<string, string> } = {}): Promise<SyncWorld> {
  const sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, seed: 14, readShape: opts.readShape ?? 'full' });
  const admin = simulatorAdmin(sim.url);
  const dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-pass-'));
  const csv = path.join(dir, 'roster.csv');
  writeFileSync(path.join(dir, 'config.yaml'), [
    'partner: { id: test-partner, name: Test Partner, businessDetails: { website: https://partner.example, contactFirstName: Dana, contactLastName: Whitfield, contactEmail: dana@partner.example, contactPhone: "6145550199" } }',
    'managers: [{ name: Priya Raman, email: priya@partner.example }]',
    'sources:',
    '  - { name: pass, kind: csv, path: roster.csv, fullRoster: true, accountId: { prefix: "pt-" }, assign: { by: single, manager: priya@partner.example } }',
    `reports: { outDir: ${JSON.stringify(path.join(dir, 'reports'))} }`,
  ].join('\n'));
  const tdb = await createTestDatabase();
  const prefix = testPrefix('pass');
  const config = loadConfig(testEnv({
    UPDOX_SYNC_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl,
    UPDOX_REQUESTS_PER_SECOND: '500', UPDOX_TIMEOUT_MS: '3000', ...opts.env,
  }));
  const app = createApp(config, { dbPool: { min: 0, max: 6 } });
  const deps = app.deps;
  return {
    app, admin, sim, tdb,
    roster(lines) {
      writeFileSync(csv, `${[HEADER, ...lines].join('\n')}\n`);
    },
    async sync() {
      const owner = attemptId('test');
      const { runId } = await openSyncRun(deps, { source: 'pass', trigger: 'test', dryRun: false, owner });
      await runSourceStepsInProcess(deps, runId, { owner, log: deps.log });
      return (await getRun(deps.db, runId))!;
    },
    async remote(accountId) {
      const r = await deps.updox.practiceGet(accountId);
      if (r.outcome !== 'ok' || !r.body) throw new Error(`PracticeGet ${accountId}: ${r.code} ${r.message}`);
      return r.body.practice as Record<string, unknown>;
    },
    async close() {
      await app.close();
      await sim.close();
      await tdb.drop();
      await deleteKeys(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
