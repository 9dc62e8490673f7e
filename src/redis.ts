/** Redis connections (ioredis). BullMQ needs maxRetriesPerRequest: null on worker connections. */
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}
