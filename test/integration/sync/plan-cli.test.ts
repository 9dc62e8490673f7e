/** `runs`, `run` and `approve` as subprocesses (the command modules through the real CliContext). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/sync/plan';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { testEnv } from '../../helpers/env';
import { deleteKeys, testPrefix, TEST_REDIS_URL } from '../../helpers/redis';
import { accountOf, addPractice, addRemote, addRoster, createPlanTestApp, createRun, practice, type PlanTestApp } from './plan-helpers';

const TSX = path.resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
const RUNNER = path.resolve(import.meta.dirname, '../http/run-command.ts');

let t: PlanTestApp;
let runId = '';
const prefix = testPrefix('plan-cli');
beforeAll(async () => {
  t = await createPlanTestApp();
  runId = await createRun(t.deps.db, { source: 'cli' });
  for (let n = 1; n <= 25; n++) {
    await addPractice(t.deps.db, { externalId: `c-${n}`, values: practice(n), source: 'cli' });
    await addRemote(t.deps.db, runId, accountOf(`c-${n}`), practice(n));
  }
  await addRoster(t.deps.db, runId, Array.from({ length: 5 }, (_, i) => ({ externalId: `c-${i + 1}`, values: practice(i + 1, { city: i === 0 ? 'Dublin' : 'Columbus' }) })));
  const plan = await planRun(t.deps, { runId, source: { ...t.source, name: 'cli', fullRoster: true } });
  expect(plan.held).toBe(true);
});
afterAll(async () => {
  await t?.close();
  await deleteKeys(prefix);
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(TSX, [RUNNER, ...args], { env: { ...process.env, ...testEnv({ DATABASE_URL: t.tdb.url, QUEUE_PREFIX: prefix }) } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('runs / run / approve', () => {
  it('lists the held run, shows why and what it would do, approves it once', async () => {
    const list = await cli('runs', 'runs', '--source', 'cli', '--json');
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout) as Array<{ id: string; status: string; counts: Record<string, number> }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, status: 'held', counts: { deactivate: 20, update: 1, unchanged: 4 } });

    const tableOut = await cli('runs', 'runs');
    expect(tableOut.stdout).toMatch(new RegExp(`${runId}\\s+sync\\s+cli\\s+held\\s+\\S+ \\S+\\s+1 update, 20 deactivate, 4 unchanged`));

    const shown = await cli('run', 'run', runId.slice(0, 8), '--actions', '--op', 'update');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('HELD: would deactivate 20 of 25 known practices (80%)');
    expect(shown.stdout).toContain(`release with: updox-sync approve ${runId}`);
    expect(shown.stdout).toMatch(/tp-c-1\s+update\s+pending\s+0\s+city/);

    const approved = await cli('approve', 'approve', runId, '--by', 'dana');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('apply enqueued');
    // The apply is waiting in the updox queue for the workers.
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const updox = new Queue('updox', { connection, prefix });
    try {
      const waiting = await updox.getJobs(['waiting', 'prioritized']);
      expect(waiting.map((j) => [j.name, j.data.runId])).toEqual([['apply', runId]]);
    } finally {
      await updox.close();
      connection.disconnect();
    }
    expect(approved.stdout).toContain('21 actions pending');

    const after = JSON.parse((await cli('run', 'run', runId, '--json')).stdout) as { run: { status: string; approved_by: string }; outbox: Record<string, Record<string, number>> };
    expect(after.run).toMatchObject({ status: 'planned', approved_by: 'dana' });
    expect(after.outbox).toEqual({ deactivate: { pending: 20 }, update: { pending: 1 } });

    const again = await cli('approve', 'approve', runId);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('RUN_NOT_HELD');
  });

  it('names a run that does not exist', async () => {
    const r = await cli('run', 'run', 'ffffffff');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('RUN_NOT_FOUND');
  });
});
