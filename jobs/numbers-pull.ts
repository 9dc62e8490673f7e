/** `numbers-pull` (its own schedule, numbers.schedule): a SmsSendNumberList pull outside the nightly partner steps. */
import type { Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import { pullNumbers } from '../src/sms/numbers';

export const makeNumbersPullProcessor = (deps: AppDeps, signal: AbortSignal) => async (job: Job) => {
  const res = await pullNumbers(deps, deps.updox, { signal, mode: 'due' });
  deps.log.child({ job: job.name, jobId: job.id }).info({ accounts: res.accounts, listed: res.listed, changed: res.changed }, 'numbers pulled');
  return { accounts: res.accounts, listed: res.listed, changed: res.changed, durationMs: res.durationMs, due: res.due, leftDue: res.leftDue };
};
