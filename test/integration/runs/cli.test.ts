/**
 * The run commands through the CLI's main() in this process: `schedule` prints each schedule's next
 * run and `--now` enqueues only scheduled sources (or the one given); `cancel` and `resume` answer
 * --json, including their refusals.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { asQueryable, createRun, haltRun, recordPlan, startStep, type RunRow } from '../../../src/runs';
import { queueFor } from '../../../jobs/queues';
import { deleteKeys } from '../../helpers/redis';
import { testEnv } from '../../helpers/env';
import { createFlowHarness, type FlowHarness } from './flow-helpers';

let h: FlowHarness;
let env: Record<string, string | undefined>;
beforeAll(async () => {
  h = await createFlowHarness({ schedule: '30 2 * * *' });
  // A second source without a schedule.
  const yaml = readFileSync(h.configFile, 'utf8');
  const other = yaml.slice(yaml.indexOf('  - name: small')).split('\nreports:')[0]!
    .replace('name: small', 'name: other').replace(/\n\s+schedule: .*/, '');
  writeFileSync(h.configFile, yaml.replace('\nreports:', `\n${other}\nreports:`));
  env = testEnv(h.env);
});
afterAll(async () => { await h?.close(); await deleteKeys(h.prefix); });
afterEach(() => { process.exitCode = undefined; });

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'updox-sync', ...args], {
    env, dotenv: false, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) },
  });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

describe('run commands', () => {
  it('schedule prints each schedule\'s next run; --now enqueues only the scheduled sources, or the one given', async () => {
    const listed = await cli('schedule');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/nightly:small\s+30 2 \* \* \*\s+\S+\s+next \d{4}-\d\d-\d\dT\d\d:30:00\.000Z/);
    expect(listed.stdout).not.toContain('nightly:other');

    const now = JSON.parse((await cli('schedule', '--now', '--json')).stdout) as { enqueuedNow: string[]; schedules: { id: string; nextRun: string }[] };
    expect(now.enqueuedNow).toEqual(['small']);
    expect(now.schedules.map((s) => s.id).sort()).toEqual(['nightly:small', 'numbers-pull', 'partner']);
    expect(now.schedules.every((s) => !Number.isNaN(Date.parse(s.nextRun)))).toBe(true);
    const one = JSON.parse((await cli('schedule', '--now', '--source', 'other', '--json')).stdout) as { enqueuedNow: string[] };
    expect(one.enqueuedNow).toEqual(['other']);
    const jobs = await queueFor(h.q, 'nightly').getJobs(['waiting', 'prioritized']);
    expect(jobs.map((j) => (j.data as { source: string }).source).sort()).toEqual(['other', 'small']);
  });

  it('cancel and resume answer --json, and say why they refuse', async () => {
    const db = h.tdb.db;
    const { run } = await createRun(db, { kind: 'sync', partnerId: 'p', source: 'small', dryRun: false, trigger: 'test' });
    await db('runs').where({ id: run.id }).update({ import_stats: '{}' });
    await startStep(db, run.id, 'plan', 'x');
    await recordPlan(asQueryable(db), (await db('runs').where({ id: run.id }).first()) as RunRow, { planStats: { counts: {} }, held: false, heldReason: null });
    await haltRun(db, run.id, '4010: bad credentials');

    const resumed = await cli('resume', run.id.slice(0, 8), '--by', 'dana', '--no-enqueue', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: run.id, status: 'planned', was: 'halted', haltReason: '4010: bad credentials', enqueued: false });

    const cancelled = await cli('cancel', run.id, '--by', 'dana', '--json');
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ runId: run.id, status: 'cancelled', was: 'planned', cancelledBy: 'dana' });
    const again = await cli('cancel', run.id, '--json');
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'RUN_FINISHED' } });
    const resumeFinal = await cli('resume', run.id, '--json');
    expect(JSON.parse(resumeFinal.stdout)).toMatchObject({ error: { code: 'RUN_FINISHED' } });
  });
});

