/**
 * The hook where a run's life is observed (metrics, alerts): every transition of this module
 * emits one event in the process that made it, after it committed. Listeners must not throw and
 * must not block (a thrown error is swallowed: a failing listener never fails a run's transition).
 *
 *   const off = onRunEvent((e) => { if (e.type === 'failed') alert(e.run) });
 *
 * Types: created, skipped, step (a step started), planned, held, previewed, applying, finished
 * (succeeded or completed_with_errors), failed, halted, cancelled, superseded, resumed, taken_over.
 */
import type { RunRow } from './row';

export type RunEventType =
  | 'created' | 'skipped' | 'step' | 'planned' | 'held' | 'previewed' | 'applying' | 'finished'
  | 'failed' | 'halted' | 'cancelled' | 'superseded' | 'resumed' | 'taken_over';

export interface RunEvent { type: RunEventType; run: Pick<RunRow, 'id' | 'kind' | 'source' | 'status' | 'dry_run'> & Partial<RunRow> }

type Listener = (e: RunEvent) => void;
const listeners = new Set<Listener>();

export function onRunEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => { listeners.delete(fn); };
}

export function emitRunEvent(type: RunEventType, run: RunEvent['run'] | undefined): void {
  if (!run) return;
  for (const fn of listeners) {
    try {
      fn({ type, run });
    } catch {
      // A listener's failure is its own; the transition already committed.
    }
  }
}
