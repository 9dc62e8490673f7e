/**
 * Tolerant PracticeList (issue 14): a reply in the real API's recorded shape with malformed
 * entries (fixtures/updox-replies/practice-list.malformed.json, our own values) read through the
 * real client over HTTP: the run is planned, each skipped entry is counted with its reason and
 * shown by `run RUN`, a practice whose entry cannot be trusted is left alone, a numeric accountId
 * is read as its string. Only a reply with nothing readable fails the run.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRun } from '../../../src/cli/run';
import { pullNumbers } from '../../../src/sms/numbers';
import { planRun } from '../../../src/sync/plan';
import { getRun } from '../../../src/runs';
import { actionCounts } from '../../../src/sync/actions';
import { snapshotRemote } from '../../../src/sync/snapshot';
import { createUpdoxClient, type UpdoxHttpClient } from '../../../src/updox/client';
import { FIXTURES } from '../../helpers/env';
import { deleteKeys, testPrefix } from '../../helpers/redis';
import { actions, addRoster, createPlanTestApp, createRun, practice, type PlanTestApp } from './plan-helpers';

const MALFORMED = readFileSync(path.join(FIXTURES, 'updox-replies/practice-list.malformed.json'), 'utf8');
let listBody = MALFORMED;
const NUMBERS = JSON.stringify({
  numbers: [
    { number: '8885550123', type: 'TOLL_FREE', verificationStatus: 'PENDING', businessDetails: 'COMPLETE', updatedAt: '2026-11-30 10:00:00' },
    { number: 8885550124, type: 'TOLL_FREE', verificationStatus: 'VERIFIED' },
    { number: '8885550125', type: 'TOLL_FREE' },
    null,
    { number: '8885550123', type: 'TOLL_FREE', verificationStatus: 'PENDING', businessDetails: 'COMPLETE', updatedAt: '2026-11-30 10:00:00' },
  ],
  successful: true, responseCode: 2000, responseMessage: 'OK',
});
let server: Server;
let t: PlanTestApp;
let client: UpdoxHttpClient;
const prefix = testPrefix('tolerant');

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.endsWith('/PracticeList') ? listBody : req.url?.endsWith('/SmsSendNumberList') ? NUMBERS : '{"successful":true,"responseCode":2000,"responseMessage":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t = await createPlanTestApp();
  client = createUpdoxClient({ ...t.deps.config.updox, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/io` },
    { redis: t.deps.redis, log: t.deps.log, limiterKey: `${prefix}:limiter` });
});
afterAll(async () => {
  await client?.close();
  await t?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deleteKeys(prefix);
});

describe('a PracticeList with malformed entries', () => {
  it('is planned; every skipped entry is counted with its reason and reported; untrusted practices are left alone', async () => {
    const runId = await createRun(t.deps.db, { snapshot: false });
    await addRoster(t.deps.db, runId, [
      { externalId: 'm1', values: practice(1, { name: 'Maple Row Clinic', city: 'Columbus' }) }, // listed (twice, identically): update
      { externalId: 'n1', accountId: '20457', values: practice(2, { name: 'Numeric Id Health' }) }, // listed with a numeric id: found, not created
      { externalId: 'm3', values: practice(3) }, // listed with a field of the wrong type: unreadable
      { externalId: 'm4', values: practice(4) }, // listed twice with different content: unreadable
      { externalId: 'm5', values: practice(5) }, // not listed: create
    ]);
    const snap = await snapshotRemote(t.deps, client, runId);
    expect(snap).toMatchObject({
      practices: 2, skipped: 5,
      skippedByReason: { not_object: 1, missing_id: 1, bad_field: 1, conflicting_duplicate: 1, duplicate: 1 },
    });
    const stored = await t.deps.db('remote_snapshots').where({ run_id: runId }).orderBy('account_id').select('account_id', 'unreadable', 'name');
    expect(stored).toEqual([
      { account_id: '20457', unreadable: null, name: 'Numeric Id Health' },
      { account_id: 'tp-m1', unreadable: null, name: 'Maple Row Clinic' },
      { account_id: 'tp-m3', unreadable: 'bad_field', name: null },
      { account_id: 'tp-m4', unreadable: 'conflicting_duplicate', name: 'Twice Listed Dental' },
    ]);

    const plan = await planRun(t.deps, { runId, source: t.source });
    expect(plan.held).toBe(false);
    expect(plan.counts).toMatchObject({ create: 1, unreadable: 2 });
    const ops = Object.fromEntries((await actions(t.deps.db, runId)).map((a) => [a.account_id, a.op]));
    expect(ops).toEqual({ 'tp-m1': 'update', '20457': 'update', 'tp-m5': 'create' });

    const run = (await getRun(t.deps.db, runId))!;
    expect(run.status).toBe('planned');
    const shown = formatRun(run, await actionCounts(t.deps.db, runId));
    expect(shown).toContain('2 practices listed; 5 list entries skipped (not_object 1, missing_id 1, bad_field 1, duplicate 1, conflicting_duplicate 1)');
    expect(shown).toContain('#3 (no id) entry is null');
    expect(shown).toContain('#5 tp-m3 city is a array');
    expect(shown).toContain('2 unreadable in PracticeList (not planned)');
  });

  it('fails the run only when no entry at all can be read', async () => {
    listBody = '{"practiceList":[null,{"name":"no id"},7],"successful":true,"responseCode":2000,"responseMessage":"OK"}';
    const runId = await createRun(t.deps.db, { snapshot: false });
    await expect(snapshotRemote(t.deps, client, runId)).rejects.toMatchObject({ code: 'UPDOX_LIST_INVALID' });
    const run = (await getRun(t.deps.db, runId))!;
    expect(run).toMatchObject({ status: 'failed', error_code: 'UPDOX_LIST_INVALID' });
    expect(run.error_message).toMatch(/3 entries and none could be read \(not_object 2, missing_id 1\)/);
    listBody = MALFORMED;
  });
});

describe('an SmsSendNumberList with malformed entries', () => {
  it('keeps the readable numbers, counts the others by reason, and marks no number of that account gone', async () => {
    const at = new Date('2026-11-29T00:00:00Z');
    await t.deps.db('sms_numbers').insert({ account_id: 'tp-n1', number: '8885550199', status: 'verified', raw_status: 'VERIFIED', status_since: at, first_seen_at: at, last_seen_at: at });
    const stats = await pullNumbers(t.deps, client, { accountIds: ['tp-n1'] });
    expect(stats).toMatchObject({ listed: 1, numbers: 2, malformed: 3, failedAccounts: [] });
    expect(stats.skipped.byReason).toEqual({ bad_field: 1, not_object: 1, duplicate: 1 });
    const rows = await t.deps.db('sms_numbers').where({ account_id: 'tp-n1' }).orderBy('number').select('number', 'status', 'missing');
    expect(rows).toEqual([
      { number: '8885550123', status: 'pending', missing: false },
      { number: '8885550124', status: 'verified', missing: false },
      { number: '8885550199', status: 'verified', missing: false }, // maybe the skipped entry: not swept
    ]);
  });
});
