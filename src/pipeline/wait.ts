/**
 * Waiting for a flow-driven run and its night's partner steps to end (demo, tests), read from
 * Postgres: the source run reaches a final or paused status, then the partner run of its night
 * ends. A demo or test flow gets a night of its own (`batchNight`), so its partner steps run for
 * it even when the day's night already had them.
 */
import type { Knex } from 'knex';
import { getRun, isFinal, isPaused, type RunRow } from '../runs';
import { sleep } from '../time';
import { partnerRunOf } from './partner-steps';

export const batchNight = (night: string, tag: string): string => `${night}#${tag}`;

export async function waitForFlow(
  db: Knex, runId: string,
  opts: { timeoutMs: number; pollMs?: number; onState?: (s: { run: RunRow; partner: RunRow | undefined }) => void },
): Promise<{ run: RunRow; partner: RunRow | undefined }> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const run = await getRun(db, runId);
    if (!run) throw new Error(`run ${runId} not found`);
    const partner = run.night ? await partnerRunOf(db, run.night) : undefined;
    opts.onState?.({ run, partner });
    const sourceDone = isFinal(run.status) || isPaused(run.status);
    if (sourceDone && (!run.night || (partner && isFinal(partner.status)))) return { run, partner };
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} did not finish in ${opts.timeoutMs} ms: it is ${run.status}${partner ? `, its partner steps ${partner.status} (${partner.step ?? '-'})` : ', its partner steps not opened'}`);
    }
    await sleep(opts.pollMs ?? 200);
  }
}
