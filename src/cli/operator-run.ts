/** Shared by `approve`, `cancel` and `resume`: who acts (recorded on the run), and enqueueing a released run's apply. */
import { userInfo } from 'node:os';
import { addReleasedApply } from '../../jobs/flows';
import { createQueues } from '../../jobs/queues';
import type { AppDeps } from '../app';
import type { RunRow } from '../runs';

export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
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
