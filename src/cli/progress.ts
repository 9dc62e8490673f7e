/**
 * Progress of a run's apply, read from its outbox (sync_actions: the truth, whoever sends), so it
 * needs nothing from the apply code: on a terminal a bar on stderr (done/total, rate, ETA), off a
 * terminal a progress log line every few seconds. The ETA divides what is left by the observed
 * rate, never by more than the configured rate limit, which is what bounds an apply.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { AppDeps } from '../app';
import { SECOND } from '../time';

const UNFINISHED = ['pending', 'in_flight'];
export const LOG_EVERY_MS = 5 * SECOND;
const BAR_EVERY_MS = SECOND;

export interface ProgressOptions {
  /** A bar (a terminal) or log lines. */
  tty: boolean;
  /** Nothing at all (--quiet, --json). */
  quiet: boolean;
}

export interface Progress { stop(): Promise<void> }

/** ETA in seconds: what is left at the observed rate, capped by the rate limit. Pure. */
export function etaSeconds(left: number, observedPerSecond: number, limitPerSecond: number): number | null {
  const rate = Math.min(observedPerSecond > 0 ? observedPerSecond : limitPerSecond, limitPerSecond);
  return rate > 0 ? Math.ceil(left / rate) : null;
}

export const formatDuration = (s: number | null): string => {
  if (s === null) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
};

async function outboxCounts(deps: Pick<AppDeps, 'db'>, runId: string): Promise<{ total: number; done: number }> {
  const rows = (await deps.db('sync_actions').where({ run_id: runId }).select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: string }>;
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  const left = rows.filter((r) => UNFINISHED.includes(r.status)).reduce((a, r) => a + Number(r.n), 0);
  return { total, done: total - left };
}

export function startApplyProgress(deps: Pick<AppDeps, 'db' | 'log' | 'config'>, runId: string, opts: ProgressOptions): Progress {
  if (opts.quiet) return { stop: async () => undefined };
  const limit = deps.config.updox.requestsPerSecond;
  const t0 = Date.now();
  let first: number | null = null;
  const bar = opts.tty
    ? new SingleBar({ format: 'apply |{bar}| {value}/{total} | {rate}/s | ETA {eta}', stream: process.stderr, hideCursor: true }, Presets.shades_classic)
    : null;
  let started = false;
  let busy: Promise<void> | null = null;
  const tick = async (final = false) => {
    const { total, done } = await outboxCounts(deps, runId).catch(() => ({ total: 0, done: 0 }));
    first ??= done; // rows done before this process started do not count towards its rate
    const secs = Math.max(0.001, (Date.now() - t0) / 1000);
    const rate = (done - first) / secs;
    const eta = etaSeconds(total - done, rate, limit);
    if (bar) {
      if (!started && total) { bar.start(total, done, { rate: '0.0', eta: '?' }); started = true; }
      if (started) { bar.setTotal(total); bar.update(done, { rate: rate.toFixed(1), eta: formatDuration(eta) }); }
    } else if (total && (final || done < total)) {
      deps.log.info({ runId, done, total, perSecond: Number(rate.toFixed(2)), etaSeconds: eta }, 'apply progress');
    }
  };
  const timer = setInterval(() => { busy ??= tick().finally(() => { busy = null; }); }, bar ? BAR_EVERY_MS : LOG_EVERY_MS);
  timer.unref();
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await busy;
      await tick(true);
      if (started) bar?.stop();
    },
  };
}
