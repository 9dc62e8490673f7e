import { describe, expect, it } from 'vitest';
import { createListLookup } from '../../../src/sync/reconcile-ambiguous';
import type { CallResult, ListSink } from '../../../src/updox/types';

const entry = (i: number) => ({ accountId: `a${i}`, name: `Clinic ${i}`, active: true });
const ok = (): CallResult<{ practiceList: unknown[] }> =>
  ({ outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { practiceList: [] }, attempts: 1, ambiguous: false });

/** A streaming PracticeList client: `pages` of entries per call, each handed over on its own; records the calls. */
function streamingClient(pages: () => unknown[][], opts: { fail?: () => boolean; gate?: () => Promise<void> } = {}) {
  const calls: number[] = [];
  let seen = 0;
  const client = {
    calls,
    /** Entries handed to the sink over every call. */
    get entriesSeen() { return seen; },
    practiceList: () => { throw new Error('the whole list must not be read'); },
    async practiceListStream(sink: ListSink) {
      calls.push(Date.now());
      await sink.begin(1);
      await opts.gate?.();
      if (opts.fail?.()) return { outcome: 'retryable', code: 5000, message: 'busy', httpStatus: 200, body: null, attempts: 1, ambiguous: false } as CallResult<{ practiceList: unknown[] }>;
      for (const p of pages()) {
        seen += p.length;
        await sink.onEntries(p);
      }
      return ok();
    },
  };
  return client;
}

describe('the PracticeList lookup for lost replies', () => {
  it('streams the list and keeps only the accounts asked about', async () => {
    const big = Array.from({ length: 50 }, (_, k) => Array.from({ length: 1000 }, (_, j) => entry(k * 1000 + j)));
    const client = streamingClient(() => big);
    const lookup = createListLookup(client, { gatherMs: 5 });
    const [a, b, c] = await Promise.all([lookup('a7'), lookup('a49999'), lookup('zz')]);
    expect(a).toEqual({ state: 'listed', entry: expect.objectContaining({ accountId: 'a7', name: 'Clinic 7' }) });
    expect(b.state).toBe('listed');
    expect(c).toEqual({ state: 'absent' });
    expect(client.calls).toHaveLength(1);
    expect(client.entriesSeen).toBe(50_000);
    // Asked again within the time to live: answered from what that list said, no second call.
    expect((await lookup('a7', undefined, client.calls[0]! - 1)).state).toBe('listed');
    expect(client.calls).toHaveLength(1);
    // An account that list was not asked about needs a list of its own.
    expect((await lookup('a8')).state).toBe('listed');
    expect(client.calls).toHaveLength(2);
  });

  it('a lookup arriving while a list is read waits for the next list, which starts after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let n = 0;
    const client = streamingClient(() => [[entry(1), entry(2)]], { gate: () => (n++ === 0 ? gate : Promise.resolve()) });
    const lookup = createListLookup(client, { gatherMs: 1 });
    const first = lookup('a1');
    await new Promise((r) => setTimeout(r, 20)); // the first list is now being read
    const second = lookup('a2');
    release();
    expect((await first).state).toBe('listed');
    expect((await second).state).toBe('listed');
    expect(client.calls).toHaveLength(2);
    expect(client.calls[1]!).toBeGreaterThanOrEqual(client.calls[0]!);
  });

  it('never answers from a list asked for before the write (notBefore)', async () => {
    const client = streamingClient(() => [[entry(1)]]);
    const lookup = createListLookup(client, { gatherMs: 1 });
    await lookup('a1');
    const later = Date.now() + 5;
    await new Promise((r) => setTimeout(r, 10));
    await lookup('a1', undefined, later);
    expect(client.calls).toHaveLength(2);
  });

  it('a failed list is not kept; an id listed twice or unreadable decides nothing', async () => {
    let fail = true;
    const client = streamingClient(() => [[entry(1), entry(1), { accountId: 'a3', name: { first: 'x' } }]], { fail: () => fail });
    const lookup = createListLookup(client, { gatherMs: 1 });
    const failed = await lookup('a1');
    expect(failed).toMatchObject({ state: 'failed', result: { outcome: 'retryable', code: 5000 } });
    fail = false;
    expect(await lookup('a1')).toMatchObject({ state: 'failed', result: { reason: 'UPDOX_BAD_REPLY', message: expect.stringMatching(/lists a1 but its entry cannot be read/) } });
    expect(client.calls).toHaveLength(2);
    expect(await lookup('a3')).toMatchObject({ state: 'failed', result: { reason: 'UPDOX_BAD_REPLY' } });
  });

  it('a retried list starts over: entries of the failed attempt are dropped', async () => {
    const client = {
      calls: 0,
      practiceList: () => { throw new Error('the whole list must not be read'); },
      async practiceListStream(sink: ListSink) {
        this.calls++;
        await sink.begin(1);
        await sink.onEntries([entry(1)]);
        await sink.begin(2); // the client retried: what attempt 1 delivered is void
        await sink.onEntries([entry(2)]);
        return ok();
      },
    };
    const lookup = createListLookup(client, { gatherMs: 1 });
    const [one, two] = await Promise.all([lookup('a1'), lookup('a2')]);
    expect(one).toEqual({ state: 'absent' });
    expect(two.state).toBe('listed');
  });
});
