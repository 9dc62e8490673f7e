/**
 * What the supervisor does with a run whose owner stopped (its lease expired and no job of it is
 * alive in the queue). Pure; docs/runs.md "The supervisor's rules" is this table in prose.
 *
 * | kind      | status               | resumes from                                              |
 * |-----------|----------------------|-----------------------------------------------------------|
 * | sync      | queued, importing    | import (plan, when the import had committed)              |
 * | sync      | planning             | plan (the plan is one transaction: nothing half-written)  |
 * | sync      | planned, applying    | apply: the outbox says what is left (superseded if stale) |
 * | upgrade   | planned, applying    | apply                                                     |
 * | upgrade   | queued, planning     | fails: `upgrade-legacy` plans again when run again        |
 * | partner   | any leased           | the step it was in (audit, numbers or report)             |
 * | import    | any                  | fails: the CLI import stopped; run it again               |
 *
 * A run taken over more than `maxTakeovers` times fails with RUN_ABANDONED (a step that kills
 * its worker every time must not loop forever). Operator releases (`approve`, `resume`) also start
 * a generation but are not takeovers: they are not counted.
 */
import type { RunRow } from './row';
import type { RunStep } from './status';

export type Takeover =
  | { action: 'resume'; from: RunStep }
  | { action: 'fail'; code: string; message: string };

export function decideTakeover(run: Pick<RunRow, 'kind' | 'status' | 'step' | 'import_stats' | 'takeovers'> & { releases?: number }, maxTakeovers: number): Takeover {
  const takeovers = run.takeovers - (run.releases ?? 0);
  if (takeovers > maxTakeovers) {
    return { action: 'fail', code: 'RUN_ABANDONED', message: `its owner stopped ${takeovers} times (last in ${run.step ?? run.status}); not taken over again` };
  }
  switch (run.kind) {
    case 'sync':
      if (run.status === 'planned' || run.status === 'applying') return { action: 'resume', from: 'apply' };
      if (run.status === 'planning' || run.import_stats != null) return { action: 'resume', from: 'plan' };
      return { action: 'resume', from: 'import' };
    case 'upgrade':
      if (run.status === 'planned' || run.status === 'applying') return { action: 'resume', from: 'apply' };
      return { action: 'fail', code: 'RUN_ABANDONED', message: 'upgrade-legacy stopped while planning; run `updox-sync upgrade-legacy` again (it plans again)' };
    case 'partner':
      return { action: 'resume', from: run.step ?? 'audit' };
    default:
      return { action: 'fail', code: 'RUN_ABANDONED', message: `the ${run.kind} command stopped before it finished; run it again` };
  }
}
