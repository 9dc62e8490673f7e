/** Shared by `approve`, `cancel` and `resume`: who acts (recorded on the run), and a refusal printed as JSON under --json. */
import { userInfo } from 'node:os';
import { EXIT, SyncError } from '../errors';
import { addReleasedApply } from '../../jobs/flows';
import { createQueues } from '../../jobs/queues';
import type { AppDeps } from '../app';
import type { RunRow } from '../runs';
import type { CliContext } from './context';

export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

/** Runs `fn`; under --json a refusal (a SyncError) is printed as `{ error: { code, message } }` with its exit code. */
export async function answering(ctx: CliContext, json: boolean | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!json || !(err instanceof SyncError)) throw err;
    ctx.print(JSON.stringify({ error: { code: err.code, kind: err.kind, message: err.message } }));
    process.exitCode = err.kind === 'bad-input' ? EXIT.badInput : EXIT.failure;
  }
}

/** Enqueues the apply of a released run for the workers (a worker's supervisor would after its handoff lease). */
export async function enqueueApply(deps: AppDeps, run: RunRow): Promise<void> {
  const q = createQueues(deps);
  try {
    await addReleasedApply(q, run);
  } finally {
    await q.close();
  }
}
