/**
 * The global Updox rate limit, shared through Redis by every process that uses the same key.
 *
 * - Requests per second: GCRA used as a scheduler. Each acquire atomically reserves the next slot
 *   (`tat` = theoretical arrival time, Redis TIME, microseconds) and advances it by one emission
 *   interval; the caller sleeps until its slot. Requests go out evenly spaced, never in bursts, and
 *   an idle limiter starts at once without banking a burst.
 * - In flight: a lease-based semaphore (sorted set of lease ids scored by expiry). A crashed
 *   process cannot leak permits: its leases expire. A permit is taken before the slot is reserved,
 *   so a reserved slot is always used on time.
 * - Adaptive: `penalize()` (429, 5xx, timeouts) cuts the shared effective rate (multiplicative
 *   decrease, at most once per cooldown, with a floor); every acquire lets it recover linearly back
 *   to the configured rate (additive increase). A Retry-After pushes the shared schedule back.
 * All state lives in Redis keys under `limiterKey`, with expiries.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LIMITS, MAX_TIMER_MS } from '../config-values';
import { ConfigError } from '../errors';
import { READ_SLOT_LUA, type Lane } from './rate-lanes';

export interface RateLimiterOptions {
  key: string;
  requestsPerSecond: number;
  maxInFlight: number;
  /** Lease length of an in-flight permit; must exceed the longest possible attempt. */
  leaseMs: number;
  /** Multiplicative decrease factor on penalize (default 0.5). */
  decreaseFactor?: number;
  /** The effective rate never drops below this share of the configured rate (default 0.1). */
  floorShare?: number;
  /** Additive recovery, as a share of the configured rate per second (default 0.1: floor → full in ~9 s). */
  recoverySharePerSecond?: number;
  /** At most one decrease per this many ms, so one burst of errors counts once (default 1000). */
  cooldownMs?: number;
  /** The share of the rate polls (the read lane) keep while writes are queued (default 0.2; rate-lanes.ts). */
  readShare?: number;
}

export interface LimiterStats {
  configuredRps: number;
  /** Effective shared rate seen at the last acquire/penalize. */
  effectiveRps: number;
  maxInFlight: number;
  /** Permits this process holds now. */
  inFlight: number;
  acquired: number;
  penalties: number;
  /** Total time callers of this process waited for permits and slots. */
  waitedMs: number;
}

export interface RateLimiter {
  /**
   * Wait for a permit and a slot; resolves to the release function. Rejects with the signal's
   * reason on abort. A `read` waits while writes are queued, beyond its share (rate-lanes.ts).
   */
  acquire(signal?: AbortSignal, lane?: Lane): Promise<() => Promise<void>>;
  /** Slow every process down; `pauseMs` (Retry-After) pushes the shared schedule back. */
  penalize(opts?: { pauseMs?: number }): Promise<number>;
  stats(): LimiterStats;
}

// KEYS[1] = inflight zset; ARGV: leaseId, maxInFlight, leaseMs → {1, count} | {0, count, msUntilFirstExpiry}
const PERMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if n < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return {1, n + 1}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, n, tonumber(first[2]) - now}
`;

// Shared rate state: recover lazily (additive), clamp to the configured rate.
const RATE_PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local conf = tonumber(ARGV[1])
local recovery = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tat', 'rate', 'rateAt', 'cutAt')
local tat = tonumber(s[1]) or 0
local rate = tonumber(s[2]) or conf
local rateAt = tonumber(s[3]) or now
local cutAt = tonumber(s[4]) or 0
if rate < conf then rate = math.min(conf, rate + recovery * (now - rateAt) / 1000000) end
if rate > conf then rate = conf end
`;

// KEYS[1] = state hash; ARGV: conf, recovery → {waitUs, rate*1000}
const SLOT_LUA = `${RATE_PRELUDE}
local interval = 1000000 / rate
if tat < now then tat = now end
local slot = tat
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat + interval), 'rate', tostring(rate), 'rateAt', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], 3600000)
return {math.floor(slot - now), math.floor(rate * 1000)}
`;

// KEYS[1] = state hash; ARGV: conf, recovery, factor, floor, cooldownUs, pauseUs → rate*1000
const PENALIZE_LUA = `${RATE_PRELUDE}
if now - cutAt >= tonumber(ARGV[5]) then
  rate = math.max(tonumber(ARGV[4]), rate * tonumber(ARGV[3]))
  cutAt = now
end
local pause = tonumber(ARGV[6])
if pause > 0 and tat < now + pause then tat = now + pause end
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'rate', tostring(rate), 'rateAt', string.format('%.0f', now), 'cutAt', string.format('%.0f', cutAt))
redis.call('PEXPIRE', KEYS[1], 3600000)
return math.floor(rate * 1000)
`;

interface Script { sha: string; src: string }
const script = (src: string): Script => ({ src, sha: createHash('sha1').update(src).digest('hex') });
const SCRIPTS = { permit: script(PERMIT_LUA), slot: script(SLOT_LUA), readSlot: script(READ_SLOT_LUA(RATE_PRELUDE)), penalize: script(PENALIZE_LUA) };

async function run(redis: Redis, s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err;
    return redis.eval(s.src, keys.length, ...keys, ...args);
  }
}

/**
 * Sleep that rejects with the signal's reason when it fires. A wait longer than setTimeout's
 * range (2^31 − 1 ms, which it would turn into 1 ms) is slept in pieces, never shortened.
 */
export async function sleepWithSignal(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw signal.reason;
  for (let left = Number.isFinite(ms) ? ms : MAX_TIMER_MS; left > 0; left -= MAX_TIMER_MS) await sleepOnce(Math.min(left, MAX_TIMER_MS), signal);
}

function sleepOnce(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settings outside these bounds are refused when the limiter is created: a rate of 1e-9 would
 * reserve slots years ahead in the shared schedule, a lease past a timer's range never expires
 * on time. Every problem is named at once.
 */
export function limiterOptionProblems(o: RateLimiterOptions): string[] {
  const problems: string[] = [];
  const check = (name: string, v: number | undefined, min: number, max: number, int = false) => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) problems.push(`rate limiter ${name}: ${v} is outside ${min}–${max}${int ? ' (an integer)' : ''}`);
  };
  check('requestsPerSecond', o.requestsPerSecond, LIMITS.requestsPerSecond.min, LIMITS.requestsPerSecond.max);
  check('maxInFlight', o.maxInFlight, LIMITS.maxInFlight.min, LIMITS.maxInFlight.max, true);
  check('leaseMs', o.leaseMs, 1, MAX_TIMER_MS, true);
  check('decreaseFactor', o.decreaseFactor, 0.01, 1);
  check('floorShare', o.floorShare, 0.01, 1);
  check('recoverySharePerSecond', o.recoverySharePerSecond, 0.001, 100);
  check('cooldownMs', o.cooldownMs, 0, MAX_TIMER_MS);
  return problems;
}

export function createRateLimiter(redis: Redis, opts: RateLimiterOptions): RateLimiter {
  const problems = limiterOptionProblems(opts);
  if (problems.length) throw new ConfigError(problems);
  const conf = opts.requestsPerSecond;
  const recovery = conf * (opts.recoverySharePerSecond ?? 0.1);
  const floor = conf * (opts.floorShare ?? 0.1);
  const factor = opts.decreaseFactor ?? 0.5;
  const cooldownUs = (opts.cooldownMs ?? 1000) * 1000;
  const readShare = opts.readShare ?? 0.2;
  const inflightKey = `${opts.key}:inflight`;
  const stateKey = `${opts.key}:rate`;
  const s: LimiterStats = { configuredRps: conf, effectiveRps: conf, maxInFlight: opts.maxInFlight, inFlight: 0, acquired: 0, penalties: 0, waitedMs: 0 };

  async function takePermit(signal?: AbortSignal): Promise<string> {
    const leaseId = randomUUID();
    for (let round = 0; ; round++) {
      if (signal?.aborted) throw signal.reason;
      const r = (await run(redis, SCRIPTS.permit, [inflightKey], [leaseId, opts.maxInFlight, opts.leaseMs])) as number[];
      if (r[0] === 1) return leaseId;
      // Poll: short and jittered (other processes release without telling us), never past the first expiry.
      const pollMs = Math.min(2 + Math.random() * Math.min(25, 2 + round * 2), Math.max(1, r[2] ?? 25));
      await sleepWithSignal(pollMs, signal);
    }
  }

  return {
    async acquire(signal, lane = 'write') {
      const t0 = performance.now();
      for (;;) {
        const leaseId = await takePermit(signal);
        s.inFlight++;
        let released = false;
        const release = async () => {
          if (released) return;
          released = true;
          s.inFlight--;
          await redis.zrem(inflightKey, leaseId).catch(() => undefined); // the lease expires anyway
        };
        try {
          const [ok, waitUs, rateMilli] = lane === 'read'
            ? (await run(redis, SCRIPTS.readSlot, [stateKey], [conf, recovery, readShare])) as number[]
            : [1, ...((await run(redis, SCRIPTS.slot, [stateKey], [conf, recovery])) as number[])];
          s.effectiveRps = (rateMilli ?? conf * 1000) / 1000;
          if (!ok) {
            // Writes are queued: give the permit back and try again when a slot may be free.
            await release();
            await sleepWithSignal(Math.min(250, Math.max(2, (waitUs ?? 0) / 1000)) * (0.75 + Math.random() * 0.5), signal);
            continue;
          }
          await sleepWithSignal((waitUs ?? 0) / 1000, signal);
        } catch (err) {
          await release();
          throw err;
        }
        s.acquired++;
        s.waitedMs += performance.now() - t0;
        return release;
      }
    },
    async penalize(p = {}) {
      const pauseUs = Math.max(0, Math.round((p.pauseMs ?? 0) * 1000));
      const rateMilli = (await run(redis, SCRIPTS.penalize, [stateKey], [conf, recovery, factor, floor, cooldownUs, pauseUs])) as number;
      s.penalties++;
      s.effectiveRps = rateMilli / 1000;
      return s.effectiveRps;
    },
    stats: () => ({ ...s, waitedMs: Math.round(s.waitedMs) }),
  };
}
