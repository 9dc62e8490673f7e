/**
 * A process that takes one remote snapshot: `node --import tsx snapshot-child.ts`, settings from
 * the environment (test code may read it; src/ may not). The streamed-snapshot test runs it with a
 * small V8 heap limit: a reply parsed whole would not fit. Prints one JSON line.
 */
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { snapshotRemote } from '../../../src/sync/snapshot';
import { testEnv } from '../../helpers/env';

const env = process.env;
const app = createApp(loadConfig(testEnv({
  DATABASE_URL: env.DATABASE_URL, QUEUE_PREFIX: env.QUEUE_PREFIX, UPDOX_BASE_URL: env.UPDOX_BASE_URL,
  UPDOX_REQUESTS_PER_SECOND: '100', LOG_LEVEL: 'silent',
})), { dbPool: { min: 0, max: 2 } });
try {
  const res = await snapshotRemote(app.deps, app.deps.updox, env.SNAPSHOT_RUN_ID ?? '');
  const heapLimitMb = Math.round((await import('node:v8')).getHeapStatistics().heap_size_limit / 2 ** 20);
  process.stdout.write(`${JSON.stringify({ ...res, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapLimitMb })}\n`);
} finally {
  await app.close();
}
