/**
 * Driving a run's source steps in this process (`sync`), from the same definition as the BullMQ
 * flows. The process owns the run under a lease renewed while each step works; if the process dies,
 * a worker's supervisor takes the run over from its last completed step. A failing step ends the
 * run here with its code (in process there is no retry queue), so nothing is left unfinished.
 */
import type { Logger } from 'pino';
import type { AppDeps } from '../app';
import { coerceError, SyncError } from '../errors';
import { failRun, getRun, isFinal, releaseLease, type RunRow, type SourceStep } from '../runs';
import { releaseMemory } from '../memory';
import { sleep } from '../time';
import { SOURCE_STEPS, STEP_FNS, stepsFrom, type StepFn } from './definition';

/** A blocked step (another run holds the source) gives up after this long. */
export const IN_PROCESS_MAX_WAIT_MS = 10 * 60_000;

export interface InProcessOptions {
  owner: string;
  log: Logger;
  file?: string;
  signal?: AbortSignal;
  from?: SourceStep;
}

export async function runSourceStepsInProcess(deps: AppDeps, runId: string, opts: InProcessOptions): Promise<RunRow> {
  return runStepsInProcess(deps, runId, stepsFrom(SOURCE_STEPS, opts.from ?? 'import'), opts);
}

/**
 * Runs `steps` in order in this process, each through its pipeline function (or the one `fns`
 * gives for it: an upgrade run's own plan). With `rethrow`, a failing step's error is thrown after
 * the run was failed with its code (a command that reports the error itself).
 */
export async function runStepsInProcess(
  deps: AppDeps, runId: string, steps: readonly SourceStep[],
  opts: InProcessOptions & { fns?: Partial<Record<SourceStep, StepFn>>; rethrow?: boolean },
): Promise<RunRow> {
  const ctx = { deps, runId, owner: opts.owner, log: opts.log, ...(opts.file ? { file: opts.file } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  for (const step of steps) {
    const fn = opts.fns?.[step] ?? STEP_FNS[step];
    const waitUntil = Date.now() + IN_PROCESS_MAX_WAIT_MS;
    let stopped = false;
    for (;;) {
      try {
        const out = await fn(ctx);
        if (out.kind === 'next') break;
        if (out.kind === 'stop') { stopped = true; break; }
        if (Date.now() + out.ms > waitUntil) {
          await failRun(deps.db, runId, { code: 'RUN_BLOCKED', message: `${step} gave up after ${IN_PROCESS_MAX_WAIT_MS / 60_000} min: ${out.reason}` });
          stopped = true;
          break;
        }
        opts.log.info({ step, reason: out.reason }, 'step waits');
        await sleep(out.ms, opts.signal);
        if (opts.signal?.aborted) { stopped = true; break; }
      } catch (err) {
        const e = coerceError(err);
        // Stopped by a signal: the run stays leased to this (ending) process; a supervisor takes it over.
        if (opts.signal?.aborted) { stopped = true; break; }
        const code = e instanceof SyncError ? e.code : 'STEP_FAILED';
        opts.log.error({ step, code, kind: e instanceof SyncError ? e.kind : 'unknown', err: e.message }, 'step failed');
        const run = await getRun(deps.db, runId);
        if (run && !isFinal(run.status) && run.status !== 'halted') await failRun(deps.db, runId, { code, message: e.message });
        if (opts.rethrow) throw e;
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    // The next step (an import's threads, a partner-wide pull) starts on a collected heap.
    releaseMemory(opts.log, { step });
  }
  if (opts.signal?.aborted) await releaseLease(deps.db, runId, opts.owner);
  return (await getRun(deps.db, runId))!;
}
