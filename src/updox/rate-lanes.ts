/**
 * Writes before reads on the one shared limit: the read lane of the Redis limiter (rate-limiter.ts).
 *
 * Writes (saves, upgrades, everything but number polling) reserve the next slot of the shared
 * schedule as before, queueing ahead of time when busy. A read reserves a slot only
 *   - when no write is queued: the schedule's next free slot is at most one interval away, or
 *   - from its own guaranteed share: `readShare` of the rate (the `rtat` of its own schedule,
 *     advanced by interval / readShare at each read taken while writes are queued), so polls
 *     never starve;
 * otherwise it takes nothing and is told how long to wait. Both lanes advance the same `tat`, so
 * together they never exceed the global rate; a read never takes a slot ahead of a queued write
 * except within its share.
 *
 * KEYS[1] = state hash; ARGV: conf, recovery, readShare → {1, waitUs, rate*1000} | {0, retryUs, rate*1000}
 */
export const READ_SLOT_LUA = (prelude: string) => `${prelude}
local interval = 1000000 / rate
if tat < now then tat = now end
local share = tonumber(ARGV[3])
local rtat = tonumber(redis.call('HGET', KEYS[1], 'rtat')) or 0
local idle = tat - now <= interval
if idle or rtat <= now then
  local slot = tat
  -- Only a slot taken while writes are queued counts against the share.
  if not idle then
    if rtat < now then rtat = now end
    rtat = rtat + interval / share
  end
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat + interval), 'rate', tostring(rate), 'rateAt', string.format('%.0f', now),
    'rtat', string.format('%.0f', rtat))
  redis.call('PEXPIRE', KEYS[1], 3600000)
  return {1, math.floor(slot - now), math.floor(rate * 1000)}
end
return {0, math.floor(math.min(tat - now - interval, rtat - now)), math.floor(rate * 1000)}
`;

export type Lane = 'write' | 'read';

/** The lane of an Updox method: number polling reads, everything else goes first. */
export const laneOf = (method: string): Lane => (method === 'SmsSendNumberList' ? 'read' : 'write');
