/**
 * The legacy upgrade against real Postgres, Redis, the simulator and the real client: which
 * accounts are adopted, what they are re-saved with, what cannot be upgraded and why, dry runs,
 * an explicit account list, and resuming after SIGKILL mid-plan and mid-apply.
 */
import { describe, expect, it } from 'vitest';
import { upgradeLegacy, type UpgradeOptions } from '../../../src/sync/upgrade-legacy';
import { readAccountsFile } from '../../../src/cli/upgrade-legacy';
import { createPlannedRun, practice, simCounters, simPost, simPractices, spawnChild, type Harness, useHarness } from './apply-helpers';

let h: Harness;
useHarness((x) => { h = x; }, 'sync_actions, practices, runs, roster_rows');

const legacy = (id: string, extra: Record<string, unknown> = {}) => ({
  accountId: id, name: `Legacy ${id}`, address1: '5 Oak Ave', city: 'Dayton', state: 'OH', postal: '45402', phone: '9375550100',
  timeZone: 'America/New_York', active: true, apiVersion: 'legacy', ...extra,
});
const noAddress = { address1: '', city: '', state: '', postal: '' };

/** A staged roster (as import leaves it) for source `small`. */
async function stageRoster(rows: Record<string, unknown>[]): Promise<void> {
  const runId = await createPlannedRun(h.db, { status: 'succeeded' });
  await h.db('roster_rows').insert(rows.map((r, i) => ({ run_id: runId, row_number: i + 2, manager_email: 'marcus@partner.example', ...r })));
}

const opts = (extra: Partial<UpgradeOptions> = {}): UpgradeOptions =>
  ({ workerId: 'up', concurrency: 4, leaseMs: 2_000, pollMs: 50, backoff: { baseMs: 20, capMs: 200 }, source: 'small', ...extra });

async function seedWorld(): Promise<void> {
  await simPost(h.sim, '/_sim/seed', {
    practices: [
      legacy('tp-L1'), // the roster adds its website
      legacy('tp-L2', noAddress), // the roster supplies the address
      legacy('tp-L3', noAddress), // no address anywhere: cannot be upgraded
      legacy('tp-L4'), // no website anywhere: upgraded with a warning
      legacy('tp-U1', { websiteUrl: '' }), // unknown to us: adopted
      { ...practice(1, 0, 'tp-M'), apiVersion: '1.1' }, // already on 1.1 and known as such
    ],
  });
  await h.db('practices').insert([
    { account_id: 'tp-L1', source: 'small', external_id: 'L1', api_version: 'legacy', name: 'Legacy tp-L1' },
    { account_id: 'tp-L2', source: 'small', external_id: 'L2', api_version: null, name: 'Legacy tp-L2' },
    { account_id: 'tp-L3', source: 'small', external_id: 'L3', api_version: null },
    { account_id: 'tp-L4', source: 'small', external_id: 'L4', api_version: 'legacy', fax: '9375550199' },
    { account_id: 'tp-M00001', source: 'small', external_id: 'M1', api_version: '1.1' },
  ]);
  await stageRoster([
    { account_id: 'tp-L1', external_id: 'L1', name: 'Legacy One Clinic', website_url: 'https://l1.example', alternative_website_url: 'https://social.example/l1' },
    { account_id: 'tp-L2', external_id: 'L2', name: 'Legacy Two', address1: '9 Elm St', city: 'Akron', state: 'OH', postal: '44308', website_url: 'https://l2.example' },
  ]);
}

describe('upgradeLegacy', () => {
  it('re-saves legacy accounts through 1.1 with the roster details and reports what cannot be upgraded', async () => {
    await seedWorld();
    const report = await upgradeLegacy(h.app.deps, h.client, opts());

    expect(report).toMatchObject({ status: 'succeeded', resumed: false, listed: 6, candidates: 5, queued: 4, succeeded: 4, failed: [] });
    expect(report.blocked).toEqual([expect.objectContaining({ accountId: 'tp-L3', reason: 'NO_ADDRESS' })]);
    expect(report.blocked[0]!.message).toMatch(/SMS stays unavailable/);
    expect(report.warnings.map((w) => `${w.accountId}:${w.code}`).sort()).toEqual(['tp-L4:NO_WEBSITE', 'tp-U1:NO_WEBSITE']);

    const remote = await simPractices(h.sim);
    for (const id of ['tp-L1', 'tp-L2', 'tp-L4', 'tp-U1']) expect(remote.get(id)!.apiVersion, id).toBe('1.1');
    expect(remote.get('tp-L3')!.apiVersion).toBe('legacy');
    expect(remote.get('tp-L1')).toMatchObject({ name: 'Legacy One Clinic', websiteUrl: 'https://l1.example', alternativeWebsiteUrl: 'https://social.example/l1', address1: '5 Oak Ave', phone: '9375550100', active: true });
    expect(remote.get('tp-L2')).toMatchObject({ address1: '9 Elm St', city: 'Akron', postal: '44308', websiteUrl: 'https://l2.example' });
    expect(remote.get('tp-L4')).toMatchObject({ fax: '9375550199' }); // "plus what we have"
    const writes = (await simCounters(h.sim)).writesByAccount;
    expect(writes).toEqual({ 'tp-L1': 1, 'tp-L2': 1, 'tp-L4': 1, 'tp-U1': 1 });

    const ours = Object.fromEntries((await h.db('practices').select('*')).map((r) => [r.account_id, r]));
    expect(ours['tp-L1']).toMatchObject({ api_version: '1.1', website_url: 'https://l1.example', manager_email: 'marcus@partner.example', last_status: 'succeeded' });
    expect(ours['tp-U1']).toMatchObject({ api_version: '1.1', name: 'Legacy tp-U1', source: null });
    expect(ours['tp-L3']).toMatchObject({ api_version: null });
    const run = await h.db('runs').where({ id: report.runId }).first();
    expect(run).toMatchObject({ kind: 'upgrade', status: 'succeeded' });
    expect(await h.db('sync_actions').where({ run_id: report.runId }).distinct('op')).toEqual([{ op: 'upgrade' }]);

    // Nothing left to do but the blocked one.
    const again = await upgradeLegacy(h.app.deps, h.client, opts());
    expect(again).toMatchObject({ candidates: 1, queued: 0, status: 'succeeded' });
  });

  it('plans without writing on a dry run, and upgrades exactly a given account list', async () => {
    await seedWorld();
    const dry = await upgradeLegacy(h.app.deps, h.client, opts({ dryRun: true }));
    expect(dry).toMatchObject({ dryRun: true, status: 'previewed', queued: 4 });
    expect((await simCounters(h.sim)).writesByAccount).toEqual({});
    expect(await h.db('sync_actions').count('* as n').first()).toMatchObject({ n: '0' });

    const listed = await upgradeLegacy(h.app.deps, h.client, opts({ accounts: ['tp-M00001', 'tp-L4', 'tp-nope'] }));
    expect(listed).toMatchObject({ status: 'succeeded', queued: 2, succeeded: 2 });
    expect(listed.blocked).toEqual([expect.objectContaining({ accountId: 'tp-nope', reason: 'NOT_FOUND' })]);
    expect(Object.keys((await simCounters(h.sim)).writesByAccount).sort()).toEqual(['tp-L4', 'tp-M00001']);
  });

  it('streams PracticeList into its snapshot (never read whole); a failed list fails the run with the list\'s reason', async () => {
    await seedWorld();
    const client = { ...h.client, practiceList: () => { throw new Error('PracticeList read whole'); } };
    const report = await upgradeLegacy(h.app.deps, client, opts());
    expect(report).toMatchObject({ status: 'succeeded', listed: 6, candidates: 5, queued: 4, succeeded: 4, failedTotal: 0, totals: { blocked: 1, warnings: 2 } });
    expect(await h.db('remote_snapshots').where({ run_id: report.runId }).count('* as n').first()).toMatchObject({ n: '6' });

    await simPost(h.sim, '/_sim/faults', { faults: [{ method: 'PracticeList', kind: 'envelope', code: 5000, count: 100 }] });
    try {
      const failed = await upgradeLegacy(h.app.deps, client, opts({ accounts: ['tp-L1'] }));
      expect(failed).toMatchObject({ status: 'failed', queued: 0, succeeded: 0 });
      const run = await h.db('runs').where({ id: failed.runId }).first();
      expect(run).toMatchObject({ status: 'failed', error_code: 'UPDOX_LIST_FAILED' });
      expect(run.error_message).toMatch(/PracticeList failed \(retryable, code 5000\)/);
    } finally {
      await simPost(h.sim, '/_sim/faults', { faults: [] });
    }
  });

  it('reads an accounts file with comments and commas, and names an unreadable one', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/upgrade-accounts-');
    writeFileSync(`${dir}/a.txt`, '# legacy accounts\ntp-1\n\ntp-2, tp-3  # trailing\r\n');
    expect(readAccountsFile(`${dir}/a.txt`)).toEqual(['tp-1', 'tp-2', 'tp-3']);
    expect(() => readAccountsFile(`${dir}/missing.txt`)).toThrow(/ACCOUNTS_FILE_UNREADABLE|cannot read/);
    writeFileSync(`${dir}/empty.txt`, '# nothing\n');
    expect(() => readAccountsFile(`${dir}/empty.txt`)).toThrow(/no account ids/);
  });

  it('resumes the same run after SIGKILL mid-plan and again mid-apply', async () => {
    const N = 1_500; // more than one 1,000-row outbox chunk, so the plan can die between chunks
    await simPost(h.sim, '/_sim/seed', { practices: Array.from({ length: N }, (_, i) => legacy(`tp-X${String(i).padStart(5, '0')}`, { websiteUrl: 'https://x.example' })) });
    const env = { ...h.childEnv, APPLY_MODE: 'upgrade', UPGRADE_SOURCE: 'small' };

    const midPlan = await spawnChild({ ...env, UPDOX_SYNC_TEST_KILL_POINT: 'plan_chunk' }).done;
    expect(midPlan.signal, midPlan.stderr).toBe('SIGKILL');
    const run = await h.db('runs').where({ kind: 'upgrade' }).first();
    expect(run.status).toBe('planning');
    expect(await h.db('sync_actions').count('* as n').first()).toMatchObject({ n: '1000' });

    const midApply = await spawnChild({ ...env, UPDOX_SYNC_TEST_KILL_POINT: 'after_send', UPDOX_SYNC_TEST_KILL_AFTER: '200' }).done;
    expect(midApply.signal, midApply.stderr).toBe('SIGKILL');
    const inFlight = new Set((await h.db('sync_actions').where({ status: 'in_flight' }).select('account_id')).map((r) => r.account_id as string));

    const last = await spawnChild(env).done;
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout.trim().split('\n').pop()!);
    expect(report).toMatchObject({ runId: run.id, resumed: true, status: 'succeeded', succeeded: N });
    expect(await h.db('runs').where({ kind: 'upgrade' }).count('* as n').first()).toMatchObject({ n: '1' });

    const remote = await simPractices(h.sim);
    expect([...remote.values()].filter((p) => p.apiVersion !== '1.1')).toEqual([]);
    const writes = (await simCounters(h.sim)).writesByAccount;
    for (const [id, n] of Object.entries(writes)) expect(n, id).toBeLessThanOrEqual(inFlight.has(id) ? 2 : 1);
    expect(Object.keys(writes)).toHaveLength(N);
  }, 120_000);
});
