/**
 * Holding a run's lease while working on it: `withRunLease` renews it every third of the lease
 * and aborts the work's signal when the run is no longer this owner's (taken over by a
 * supervisor, cancelled, halted or ended elsewhere), or when the caller's own signal aborts.
 * An attempt id names one attempt, never a process that could retry under the same name.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from './db';
import { renewLease, DEFAULT_LEASE_MS } from './transitions';
import type { RunStatus } from './status';

/** A fresh attempt id, e.g. `worker:host:1234:5f2c…` (unique per attempt). */
export const attemptId = (who: string): string => `${who}:${hostname()}:${process.pid}:${randomUUID().slice(0, 13)}`;

export interface LeaseHandle {
  owner: string;
  /** Aborts when the lease is lost or the caller's signal aborts. */
  signal: AbortSignal;
  /** Why the signal aborted: 'lost' (the run is not ours any more) or 'shutdown'. */
  reason(): 'lost' | 'shutdown' | null;
  /** The run's status at the last renewal. */
  lastStatus(): RunStatus | null;
}

export async function withRunLease<T>(
  db: Db, runId: string, owner: string,
  fn: (lease: LeaseHandle) => Promise<T>,
  opts: { leaseMs?: number; signal?: AbortSignal; onRenewError?: (err: Error) => void } = {},
): Promise<T> {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const ac = new AbortController();
  let why: 'lost' | 'shutdown' | null = null;
  let status: RunStatus | null = null;
  const onAbort = () => { why ??= 'shutdown'; ac.abort(); };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setInterval(() => {
    renewLease(db, runId, owner, leaseMs).then((s) => {
      status = s;
      if (s === null) { why ??= 'lost'; ac.abort(); }
    }, (err: Error) => opts.onRenewError?.(err));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  try {
    return await fn({ owner, signal: ac.signal, reason: () => why, lastStatus: () => status });
  } finally {
    clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * True when the owner is a process on this machine that no longer exists (a killed CLI or worker):
 * its run need not wait for the lease to run out. Owners on other machines are judged by their
 * lease alone.
 */
export function ownerIsGone(owner: string | null): boolean {
  if (!owner) return true;
  const [, host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
