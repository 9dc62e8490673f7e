/** A Redis key prefix per test file, and a cleanup that deletes its keys. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(label = 't'): string {
  return `updox-sync-test:${label}:${randomUUID().slice(0, 8)}`;
}

export async function deleteKeys(prefix: string, redisUrl = TEST_REDIS_URL): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
