/**
 * The numbers pull reads its due accounts through a cursor held open while it calls. Postgres
 * restarted mid-pull (a cluster of its own): the pull fails with the database's error instead of
 * hanging or going on without a record, the checks written before the restart stay, and the next
 * pull asks only the accounts that are still due, so no account is asked more than twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createKnex, migrateLatest } from '../../../src/db/knex';
import { pullNumbers } from '../../../src/sms/numbers';
import { sleep } from '../../../src/time';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../../../src/updox/types';
import { testEnv } from '../../helpers/env';
import { deleteKeys, testPrefix } from '../../helpers/redis';
import { startOwnPostgres, type OwnPostgres } from '../chaos/services';

const N = 400;
let cluster: OwnPostgres;
let app: App;
const prefix = testPrefix('numbers-pg');

/** A listing client that answers every account with one verified number, a few ms per call. */
function slowClient(): UpdoxClient & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const no = () => { throw new Error('not used'); };
  return {
    calls,
    async smsSendNumberList(accountId) {
      calls.set(accountId, (calls.get(accountId) ?? 0) + 1);
      await sleep(4);
      const list: UpdoxSmsNumber[] = [{ number: `888${accountId.slice(-7)}`, verificationStatus: 'VERIFIED' }];
      return { outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { numbers: list } as never, attempts: 1, ambiguous: false } as CallResult<{ numbers: UpdoxSmsNumber[] }>;
    },
    practiceSave: no, practiceGet: no, practiceList: no, smsSend: no, ping: no,
    async close() {},
  };
}

beforeAll(async () => {
  cluster = await startOwnPostgres();
  const url = cluster.url('chaos');
  const db = createKnex(url, { min: 0, max: 1 });
  await migrateLatest(db);
  await db.raw(`INSERT INTO practices (account_id, active, api_version) SELECT 'pg-' || lpad(i::text, 7, '0'), true, '1.1' FROM generate_series(1, ${N}) i`);
  await db.destroy();
  app = createApp(loadConfig(testEnv({ DATABASE_URL: url, QUEUE_PREFIX: prefix })), { dbPool: { min: 0, max: 4 } });
}, 120_000);
afterAll(async () => {
  await app?.close();
  cluster?.destroy();
  await deleteKeys(prefix);
});

const checked = async () => Number((await app.deps.db('number_checks').whereNotNull('checked_at').count<{ n: string }[]>({ n: '*' }))[0]!.n);

describe('numbers pull with Postgres restarted mid-pull', () => {
  it('fails, keeps the checks already written, and the next pull asks only what is still due', async () => {
    const client = slowClient();
    const first = pullNumbers(app.deps, client, { mode: 'due', concurrency: 2, writeBatchAccounts: 10, pageSize: 20, budget: N });
    const failed = first.then(() => null, (err: unknown) => err as Error);
    // Restart once some batches are written and well before the end.
    for (let i = 0; i < 200 && client.calls.size < 60; i++) await sleep(20);
    expect(client.calls.size).toBeGreaterThanOrEqual(60);
    expect(client.calls.size).toBeLessThan(N);
    const restarted = cluster.restartFastAsync().then(() => null, (e: unknown) => e);
    const t0 = Date.now();
    const err = await failed;
    const failedAfterMs = Date.now() - t0;
    expect(err, 'the pull must fail, not carry on without its cursor').toBeInstanceOf(Error);
    expect(err!.message).toMatch(/shutting down|terminat|connection|ECONNRESET/i);
    expect(failedAfterMs).toBeLessThan(30_000);
    expect(await restarted).toBeNull();

    const before = await checked();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(N);
    const askedFirst = client.calls.size;

    const second = await pullNumbers(app.deps, client, { mode: 'due', concurrency: 4, budget: N });
    expect(second.due).toBe(N - before);
    expect(second.accounts).toBe(N - before);
    expect(await checked()).toBe(N);
    // Asked again: only the accounts fetched but not yet written when Postgres went away.
    const twice = [...client.calls.values()].filter((n) => n === 2).length;
    expect([...client.calls.values()].every((n) => n <= 2)).toBe(true);
    expect(twice).toBe(askedFirst - before);
    expect(twice).toBeLessThanOrEqual(10 + 2 * 2 + 10);
    expect(Number((await app.deps.db('sms_numbers').count<{ n: string }[]>({ n: '*' }))[0]!.n)).toBe(N);
  }, 120_000);
});
