/** Builders for the plan tests: a run with staged roster rows, practices (base) and a remote snapshot. */
import { createApp, type App, type AppDeps } from '../../../src/app';
import { loadConfig, type SourceConfig } from '../../../src/config';
import { emptyPracticeValues, rowFromValues, type PracticeField, type PracticeValues } from '../../../src/practice';
import { toPayload } from '../../../src/sync/payload';
import { remoteDigest } from '../../../src/sync/snapshot';
import type { ConflictPolicy } from '../../../src/sync/merge';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testEnv } from '../../helpers/env';

export const SOURCE = 'small';

export interface PlanTestApp {
  app: App;
  deps: AppDeps;
  tdb: TestDatabase;
  source: SourceConfig;
  /** deps with other guardrails / policy (config is frozen, so a copy). */
  withConfig(patch: { guardrails?: Partial<AppDeps['config']['guardrails']>; policy?: ConflictPolicy }): AppDeps;
  close(): Promise<void>;
}

export async function createPlanTestApp(): Promise<PlanTestApp> {
  const tdb = await createTestDatabase();
  const config = loadConfig(testEnv({ DATABASE_URL: tdb.url }));
  const app = createApp(config, { dbPool: { min: 0, max: 4 } });
  const source = config.sources.find((s) => s.name === SOURCE)!;
  return {
    app, deps: app.deps, tdb, source,
    withConfig(patch) {
      const c = app.deps.config;
      return {
        ...app.deps,
        config: {
          ...c,
          guardrails: { ...c.guardrails, ...patch.guardrails },
          sync: { ...c.sync, ...(patch.policy ? { conflictPolicy: patch.policy } : {}) },
        },
      };
    },
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
}

export const ALL_FIELDS: PracticeField[] = ['name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'fax', 'websiteUrl', 'timeZone'];

export const values = (v: Partial<PracticeValues> = {}): PracticeValues => ({ ...emptyPracticeValues(), ...v });

/** A complete practice, varied by n. */
export const practice = (n: number, v: Partial<PracticeValues> = {}): PracticeValues => values({
  name: `Clinic ${n}`, address1: `${n} Main St`, city: 'Columbus', state: 'OH', postal: '43215', country: 'US',
  phone: `614555${String(n).padStart(4, '0')}`, websiteUrl: `https://clinic${n}.example`, timeZone: 'America/New_York', active: true, ...v,
});

export async function createRun(db: AppDeps['db'], o: { managed?: PracticeField[]; dryRun?: boolean; snapshot?: boolean; source?: string } = {}): Promise<string> {
  const [row] = await db('runs').insert({
    kind: 'sync', partner_id: 'test-partner', source: o.source ?? SOURCE, status: 'planning', dry_run: o.dryRun ?? false, trigger: 'test',
    managed_fields: o.managed ?? ALL_FIELDS, import_stats: JSON.stringify({ read: 0, valid: 0, quarantined: 0 }),
    plan_stats: o.snapshot === false ? null : JSON.stringify({ snapshot: { practices: 0, takenAt: new Date().toISOString() } }),
  }).returning('id');
  return (row as { id: string }).id;
}

export async function finishRun(db: AppDeps['db'], runId: string, status = 'succeeded'): Promise<void> {
  await db('runs').where({ id: runId }).update({ status, finished_at: db.fn.now() });
}

export interface RosterInput { externalId: string; values: PracticeValues; managerEmail?: string | null; accountId?: string }
export const accountOf = (externalId: string) => `tp-${externalId}`;

export async function addRoster(db: AppDeps['db'], runId: string, rows: RosterInput[]): Promise<void> {
  if (!rows.length) return;
  await db.batchInsert('roster_rows', rows.map((r, i) => ({
    run_id: runId, row_number: i + 2, external_id: r.externalId, account_id: r.accountId ?? accountOf(r.externalId),
    manager_email: r.managerEmail ?? null, ...rowFromValues(r.values),
  })), 500);
}

export async function addPractice(db: AppDeps['db'], p: { externalId: string; values: PracticeValues; source?: string | null; accountId?: string; lastStatus?: string; managerEmail?: string }): Promise<void> {
  await db('practices').insert({
    account_id: p.accountId ?? accountOf(p.externalId), source: p.source === undefined ? SOURCE : p.source, external_id: p.externalId,
    ...rowFromValues(p.values), manager_email: p.managerEmail ?? null, api_version: '1.1', last_status: p.lastStatus ?? 'succeeded',
  });
}

/** A remote snapshot row; `omit` lists wire keys PracticeList did not return at all. */
export async function addRemote(db: AppDeps['db'], runId: string, accountId: string, v: PracticeValues, omit: PracticeField[] = []): Promise<void> {
  const raw: Record<string, unknown> = { accountId };
  for (const [k, x] of Object.entries(v)) if (!omit.includes(k as PracticeField)) raw[k] = x ?? '';
  const stored = { ...v };
  for (const f of omit) (stored as Record<string, unknown>)[f] = null;
  await db('remote_snapshots').insert({
    run_id: runId, account_id: accountId, ...rowFromValues(stored), raw: JSON.stringify(raw), missing_fields: omit.length ? omit : null,
    digest: remoteDigest(stored, omit), // as snapshotRemote writes it (the raw record has no unmodelled field)
  });
}

export async function actions(db: AppDeps['db'], runId: string) {
  return db('sync_actions').where({ run_id: runId }).orderBy('account_id') as Promise<Array<{
    account_id: string; external_id: string; op: string; status: string; payload: Record<string, string>; payload_hash: string;
    conflicts: unknown[] | null; flags: string[] | null; source: string; manager_email: string | null; changed_fields: string[] | null;
  }>>;
}

export const payloadOf = (accountId: string, v: PracticeValues) => toPayload(accountId, v);
