/**
 * A small client of the simulator's admin API (`/_sim/…`, docs/simulator.md) for the demo, the
 * benches and the tests, so that none of them hand-rolls fetch calls and reply types of its own.
 */
import type { CountersSnapshot } from './counters';

export type { CountersSnapshot } from './counters';

/** A practice as `/_sim/state/practices` shows it: the stored record plus how it was last saved. */
export type SimPracticeState = Record<string, unknown> & { accountId: string; apiVersion?: 'legacy' | '1.1' };

export interface SimulatorAdmin {
  /** Any admin call; throws with the method, path, status and reply text when the status is not 2xx. */
  request<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<void>;
  practices(): Promise<SimPracticeState[]>;
  numbers(): Promise<Record<string, unknown>[]>;
  seed(body: { practices?: unknown[]; numbers?: unknown[]; users?: unknown[] }): Promise<void>;
  setFaults(faults: unknown[]): Promise<void>;
  clearFaults(): Promise<void>;
}

export function simulatorAdmin(url: string): SimulatorAdmin {
  const request = async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    request,
    counters: () => request<CountersSnapshot>('GET', '/_sim/counters'),
    resetCounters: async () => { await request('POST', '/_sim/counters/reset'); },
    practices: async () => (await request<{ practices: SimPracticeState[] }>('GET', '/_sim/state/practices')).practices,
    numbers: async () => (await request<{ numbers: Record<string, unknown>[] }>('GET', '/_sim/state/numbers')).numbers,
    seed: async (body) => { await request('POST', '/_sim/seed', body); },
    setFaults: async (faults) => { await request('POST', '/_sim/faults', { faults }); },
    clearFaults: async () => { await request('DELETE', '/_sim/faults'); },
  };
}
