/**
 * Re-enqueues work the outbox says is unfinished (runs planned or applying), e.g. after Redis was
 * lost or flushed. Job ids are deterministic (`apply-<runId>`), so an existing job is not duplicated.
 */
import type { AppDeps } from '../src/app';
import { jobIdFor, queueFor, type Queues } from './queues';

export async function reconcileRuns(deps: AppDeps, q: Queues): Promise<number> {
  const runs = await deps.db('runs')
    .whereIn('status', ['planned', 'applying'])
    .andWhere({ dry_run: false, kind: 'sync' })
    .select('id', 'source');
  let n = 0;
  for (const run of runs) {
    const jobId = jobIdFor('apply', run.id);
    const existing = await queueFor(q, 'apply').getJob(jobId);
    if (existing && !(await existing.isCompleted()) && !(await existing.isFailed())) continue;
    if (existing) await existing.remove().catch(() => undefined);
    await queueFor(q, 'apply').add('apply', { runId: run.id, source: run.source }, { jobId });
    n++;
  }
  return n;
}
