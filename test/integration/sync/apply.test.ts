/**
 * applyRun against real Postgres, Redis, the simulator over HTTP and the real client: outcomes
 * (ok, retryable, permanent, 4039, halt, ambiguous), practices upserts, and cooperating workers.
 */
import { describe, expect, it } from 'vitest';
import { applyRun, type ApplyOptions } from '../../../src/sync/apply';
import { payloadDifferences } from '../../../src/sync/apply-rules';
import {
  createPlannedRun, insertActions, practice, simCounters, simPost, simPractices, type Harness,
  useHarness,
} from './apply-helpers';

let h: Harness;
useHarness((x) => { h = x; });

const opts = (runId: string, extra: Partial<ApplyOptions> = {}): ApplyOptions =>
  ({ runId, workerId: 'w1', concurrency: 8, leaseMs: 2_000, pollMs: 50, backoff: { baseMs: 20, capMs: 200 }, ...extra });

describe('applyRun', () => {
  it('creates, updates and deactivates through PracticeSave/1.1, one write each, and records practices', async () => {
    await simPost(h.sim, '/_sim/seed', { practices: [10, 11, 12].map((i) => practice(i)) });
    const runId = await createPlannedRun(h.db);
    const creates = Array.from({ length: 10 }, (_, i) => practice(i));
    await insertActions(h.db, runId, creates, 'create');
    await insertActions(h.db, runId, [practice(10, 1), practice(11, 1)], 'update');
    await insertActions(h.db, runId, [{ ...practice(12), active: 'false' }], 'deactivate');

    const res = await applyRun(h.app.deps, h.client, opts(runId));

    expect(res).toMatchObject({ status: 'succeeded', succeeded: 13, failed: 0, saves: 13, reconcileReads: 0 });
    const counters = await simCounters(h.sim);
    expect(Object.values(counters.writesByAccount)).toEqual(Array(13).fill(1));
    const remote = await simPractices(h.sim);
    for (const p of [...creates, practice(10, 1), practice(11, 1)]) expect(payloadDifferences(remote.get(p.accountId)!, p)).toEqual([]);
    expect(remote.get('ap-00012')!.active).toBe(false);

    const rows = await h.db('practices').orderBy('account_id');
    expect(rows).toHaveLength(13);
    const p10 = rows.find((r) => r.account_id === 'ap-00010');
    expect(p10).toMatchObject({
      name: 'Practice 00010 v1', api_version: '1.1', last_status: 'succeeded', last_code: 2000, last_run_id: runId,
      source: 'small', external_id: '00010', manager_email: 'priya@partner.example', website_url: 'https://p00010.example/1', active: true,
    });
    expect(rows.find((r) => r.account_id === 'ap-00012')).toMatchObject({ active: false });
    const actions = await h.db('sync_actions').where({ run_id: runId });
    expect(actions.every((a) => a.status === 'succeeded' && a.attempts === 1 && a.code === 2000 && String(a.claimed_by).startsWith('w1:'))).toBe(true);
    const run = await h.db('runs').where({ id: runId }).first();
    expect(run.apply_stats).toMatchObject({ succeeded: 13, apiWrites: 13 });
    expect(run.finished_at).not.toBeNull();
  });

  it('retries a 5xxx with backoff, fails a refused record with the vendor message, and marks a 4039', async () => {
    await simPost(h.sim, '/_sim/seed', { practices: [{ ...practice(1), websiteAddress: 'taken-slug' }, practice(3)] });
    await h.db('practices').insert({ account_id: 'ap-00003', api_version: '1.1', name: 'Practice 00003', source: 'small' });
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, [practice(0)]);
    await insertActions(h.db, runId, [{ ...practice(2), websiteAddress: 'taken-slug' }]);
    await insertActions(h.db, runId, [practice(3, 1)], 'update');
    // The first two saves answer 5000 (not applied); ap-00003's save answers 4039.
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', count: 2, kind: 'envelope', code: 5000 }] });
    const first = await applyRun(h.app.deps, h.client, opts(runId, { concurrency: 1, at: async (point, a) => {
      if (point === 'before_send' && a.accountId === 'ap-00003') {
        await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', count: 1, kind: 'envelope', code: 4039, message: 'On file account business information is insufficient for verification' }] });
      }
    } }));

    expect(first.status).toBe('completed_with_errors');
    const a = Object.fromEntries((await h.db('sync_actions').where({ run_id: runId })).map((r) => [r.account_id, r]));
    expect(a['ap-00000']).toMatchObject({ status: 'succeeded', code: 2000 });
    expect(a['ap-00000'].attempts + a['ap-00002'].attempts).toBe(4); // two 5000s, then one each
    expect(a['ap-00002']).toMatchObject({ status: 'failed', code: 4140 });
    expect(a['ap-00002'].message).toMatch(/taken-slug/);
    expect(a['ap-00003']).toMatchObject({ status: 'failed', code: 4039, attempts: 1 });
    expect(a['ap-00003'].message).toMatch(/insufficient.*(audit|not audited)/);
    const p3 = await h.db('practices').where({ account_id: 'ap-00003' }).first();
    expect(p3).toMatchObject({ last_status: 'failed', last_code: 4039, name: 'Practice 00003' });
    expect(p3.details_insufficient_at).not.toBeNull();
    expect(await h.db('practices').where({ account_id: 'ap-00002' }).first()).toBeUndefined();
  });

  it('fails a row after sync.maxAttempts retryable answers', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, [practice(0)]);
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', kind: 'http', status: 503 }] });
    const res = await applyRun(h.app.deps, h.client, opts(runId, { backoff: { baseMs: 5, capMs: 20 } }));
    expect(res.status).toBe('completed_with_errors');
    const row = await h.db('sync_actions').where({ run_id: runId }).first();
    expect(row).toMatchObject({ status: 'failed', attempts: h.config.sync.maxAttempts });
    expect((await simCounters(h.sim)).requests.PracticeSave).toEqual({ http503: h.config.sync.maxAttempts });
  });

  it('reconciles a lost reply with PracticeGet instead of writing again', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, [practice(0), practice(1)]);
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', count: 1, kind: 'lost' }] });
    const res = await applyRun(h.app.deps, h.client, opts(runId, { concurrency: 1 }));
    expect(res).toMatchObject({ status: 'succeeded', succeeded: 2, reconciledApplied: 1, reconcileReads: 1 });
    const c = await simCounters(h.sim);
    expect(c.writesByAccount).toEqual({ 'ap-00000': 1, 'ap-00001': 1 });
    expect(c.requests.PracticeGet).toEqual({ 2000: 1 });
    const row = await h.db('sync_actions').where({ account_id: 'ap-00000' }).first();
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, reconciles: 1 });
    expect(row.message).toMatch(/confirmed by PracticeGet/);
  });

  it('retries a reset that was not applied, after PracticeGet shows it missing', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, [practice(0)]);
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', count: 1, kind: 'reset' }] });
    const res = await applyRun(h.app.deps, h.client, opts(runId));
    expect(res).toMatchObject({ status: 'succeeded', reconciledApplied: 0, reconcileReads: 1 });
    expect((await simCounters(h.sim)).writesByAccount).toEqual({ 'ap-00000': 1 });
    expect(await h.db('sync_actions').first()).toMatchObject({ attempts: 2, reconciles: 1, status: 'succeeded' });
  });

  it('halts the whole run on a credentials error and makes no further calls', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, Array.from({ length: 40 }, (_, i) => practice(i)));
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', kind: 'envelope', code: 4010, message: 'Unauthorized' }] });
    const res = await applyRun(h.app.deps, h.client, opts(runId, { concurrency: 4 }));
    expect(res.status).toBe('halted');
    expect(res.haltReason).toMatch(/4010/);
    const run = await h.db('runs').where({ id: runId }).first();
    expect(run).toMatchObject({ status: 'halted' });
    expect(run.halt_reason).toMatch(/4010 Unauthorized/);
    const saves = (await simCounters(h.sim)).requests.PracticeSave?.[4010] ?? 0;
    expect(saves).toBeGreaterThanOrEqual(1);
    expect(saves).toBeLessThanOrEqual(4); // only what was already in flight
    const statuses = await h.db('sync_actions').where({ run_id: runId }).select('status');
    expect(statuses.every((s) => s.status === 'pending')).toBe(true);
    // A halted run is not touched by a later worker.
    await simPost(h.sim, '/_sim/faults', { faults: [] });
    const again = await applyRun(h.app.deps, h.client, opts(runId, { workerId: 'w2' }));
    expect(again.status).toBe('halted');
    expect((await simCounters(h.sim)).requests.PracticeSave?.[2000]).toBeUndefined();
  });

  it('lets several workers drain one run together, each account written once', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, Array.from({ length: 300 }, (_, i) => practice(i)));
    const results = await Promise.all(['wa', 'wb', 'wc'].map((w) => applyRun(h.app.deps, h.client, opts(runId, { workerId: w, concurrency: 4 }))));
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(results.reduce((s, r) => s + r.succeeded, 0)).toBe(300);
    expect(results.filter((r) => r.succeeded > 0).length).toBeGreaterThanOrEqual(2);
    const c = await simCounters(h.sim);
    expect(Object.keys(c.writesByAccount)).toHaveLength(300);
    expect(Object.values(c.writesByAccount).every((n) => n === 1)).toBe(true);
  });

  it('returns promptly on abort, leaving the rest for the next worker', async () => {
    const runId = await createPlannedRun(h.db);
    await insertActions(h.db, runId, Array.from({ length: 200 }, (_, i) => practice(i)));
    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeSave', kind: 'latency', ms: 30 }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = Date.now();
    const first = await applyRun(h.app.deps, h.client, opts(runId, { signal: ac.signal }));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(first.status).toBe('applying');
    expect(first.outbox.succeeded ?? 0).toBeLessThan(200);
    expect(await h.db('sync_actions').where({ run_id: runId, status: 'in_flight', claimed_by: 'w1' }).count('* as n').first()).toMatchObject({ n: '0' });
    await simPost(h.sim, '/_sim/faults', { faults: [] });
    const second = await applyRun(h.app.deps, h.client, opts(runId, { workerId: 'w2' }));
    expect(second.status).toBe('succeeded');
    const c = await simCounters(h.sim);
    expect(Object.keys(c.writesByAccount)).toHaveLength(200);
    expect(Math.max(...Object.values(c.writesByAccount))).toBeLessThanOrEqual(2);
  });
});
