/** Opening a source's sync run (a second one while one holds the source is recorded as skipped, naming the blocker). */
import type { AppDeps } from '../app';
import { findSource } from '../nightly/source';
import { attemptId, createRun, type CreatedRun } from '../runs';

export interface OpenRunOptions {
  source: string;
  trigger: string;
  dryRun: boolean;
  /** The night of a flow-driven run (its partner steps run once the night's runs ended). */
  night?: string;
  /**
   * The process driving the run, with the lease it starts with. Without one the run is leased to
   * this process (its default lease) until its first step's job takes it, so a supervisor never
   * takes over a run whose flow is still being enqueued.
   */
  owner?: string;
  leaseMs?: number;
}

export async function openSyncRun(deps: AppDeps, opts: OpenRunOptions): Promise<CreatedRun & { runId: string }> {
  findSource(deps.config, opts.source); // fail fast on an unknown source
  const created = await createRun(deps.db, {
    kind: 'sync', partnerId: deps.config.partner.id, source: opts.source, dryRun: opts.dryRun, trigger: opts.trigger,
    ...(opts.night ? { night: opts.night } : {}),
    owner: opts.owner ?? attemptId('open'),
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
  });
  return { ...created, runId: created.run.id };
}
