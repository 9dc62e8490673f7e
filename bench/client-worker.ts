/**
 * One client process for the shared-limit bench and test: `node --import tsx bench/client-worker.ts`
 * with a JSON spec in argv[2]. It makes one warm-up call, prints `ready`, reads the start time
 * (epoch ms) from one stdin line, waits for it, then runs `concurrency` loops of
 * PingWithApplicationAuth until `startAt + durationMs`, and prints one JSON line of what it saw.
 * Used by bench/client.ts and test/integration/updox/multi-process.test.ts.
 */
import { createLogger } from '../src/log';
import { createRedis } from '../src/redis';
import { createUpdoxClient } from '../src/updox/client';

export interface WorkerSpec {
  baseUrl: string;
  applicationId: string;
  applicationPassword: string;
  redisUrl: string;
  limiterKey: string;
  requestsPerSecond: number;
  maxInFlight: number;
  concurrency: number;
  durationMs: number;
}

export interface WorkerReport {
  pid: number;
  calls: number;
  outcomes: Record<string, number>;
  /** Epoch ms of the first and last completed call. */
  firstAt: number | null;
  lastAt: number | null;
  effectiveRps: number;
  waitedMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
const redis = createRedis(spec.redisUrl);
const client = createUpdoxClient(
  { baseUrl: spec.baseUrl, applicationId: spec.applicationId, applicationPassword: spec.applicationPassword, requestsPerSecond: spec.requestsPerSecond, maxInFlight: spec.maxInFlight, timeoutMs: 10_000, maxRetries: 0, maxListBytes: 2 * 1024 ** 3, readShare: 0.2 },
  { redis, log: createLogger({ level: 'warn' }), limiterKey: spec.limiterKey },
);
const report: WorkerReport = { pid: process.pid, calls: 0, outcomes: {}, firstAt: null, lastAt: null, effectiveRps: 0, waitedMs: 0 };

// Warm up (connection, Redis scripts, JIT) under the same limiter, so the measured window starts hot.
await client.ping('application');
process.stdout.write('ready\n');
const startAt = await new Promise<number>((resolve) => {
  let buf = '';
  process.stdin.on('data', (d: Buffer) => {
    buf += d.toString();
    if (buf.includes('\n')) resolve(Number(buf.trim()));
  });
});
process.stdin.pause();
const deadline = startAt + spec.durationMs;
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
await Promise.all(Array.from({ length: spec.concurrency }, async () => {
  while (Date.now() < deadline) {
    const res = await client.ping('application');
    const at = Date.now();
    if (at > deadline) break; // its slot came after the window: not counted by either side's window
    report.calls++;
    report.outcomes[res.outcome] = (report.outcomes[res.outcome] ?? 0) + 1;
    report.firstAt ??= at;
    report.lastAt = at;
  }
}));
const stats = client.stats();
report.effectiveRps = stats.limiter.effectiveRps;
report.waitedMs = stats.limiter.waitedMs;
await client.close();
redis.disconnect();
process.stdout.write(`${JSON.stringify(report)}\n`);
