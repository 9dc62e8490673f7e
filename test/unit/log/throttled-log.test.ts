import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, throttledLog } from '../../../src/log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  return { log: createLogger({ level: 'info' }, dest as never), lines };
}
const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => { vi.useRealTimers(); });

describe('throttledLog', () => {
  it('logs an error once per period and counts the repeats it folded', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z'), toFake: ['Date'] });
    const { log, lines } = capture();
    const down = throttledLog(log, 'warn', 'redis connection error', 30_000);
    for (let i = 0; i < 5; i++) down({ err: 'ECONNREFUSED', queue: 'sync' });
    vi.setSystemTime(new Date('2026-12-01T00:00:31Z'));
    down({ err: 'ECONNREFUSED', queue: 'sync' });
    await tick();
    expect(lines.map((l) => [l.msg, l.err, l.repeated])).toEqual([
      ['redis connection error', 'ECONNREFUSED', undefined],
      ['redis connection error', 'ECONNREFUSED', 4],
    ]);
    expect(lines[0]!.level).toBe(40);
  });

  it('logs another error at once, with the folded count of the one before', async () => {
    const { log, lines } = capture();
    const down = throttledLog(log, 'error', 'worker error');
    down({ err: 'ECONNREFUSED' });
    down({ err: 'ECONNREFUSED' });
    down({ err: 'ECONNREFUSED' });
    down({ err: 'NOAUTH' });
    down({ err: 'NOAUTH' });
    await tick();
    expect(lines.map((l) => [l.err, l.repeated])).toEqual([['ECONNREFUSED', undefined], ['ECONNREFUSED', 2], ['NOAUTH', undefined]]);
  });

  it('drops the calls without a logger', () => {
    const down = throttledLog(undefined, 'warn', 'x');
    expect(() => down({ err: 'e' })).not.toThrow();
  });
});
