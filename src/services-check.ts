/**
 * Checks that Postgres and Redis answer at the configured URLs before the demo or the tests start.
 * If not and docker is available, brings the compose services up; otherwise names what is missing.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { PACKAGE_ROOT } from './paths';

export interface ServiceTarget {
  name: string;
  url: string;
  defaultPort: number;
  howToStart: string;
}

function probe(url: string, defaultPort: number, timeoutMs = 1500): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || defaultPort);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Returns the names of services that still do not answer (empty when all are up). */
export async function ensureServices(targets: ServiceTarget[], log: (m: string) => void = console.error): Promise<string[]> {
  const down = async () => {
    const res = await Promise.all(targets.map(async (t) => ((await probe(t.url, t.defaultPort)) ? null : t)));
    return res.filter((t): t is ServiceTarget => t !== null);
  };
  let missing = await down();
  if (missing.length === 0) return [];
  if (dockerAvailable()) {
    log(`starting docker compose services: ${missing.map((m) => m.name).join(', ')}`);
    execFileSync('docker', ['compose', 'up', '-d', '--wait'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
    missing = await down();
  }
  for (const m of missing) {
    const u = new URL(m.url);
    log(`${m.name} does not answer at ${u.hostname}:${u.port || m.defaultPort}. Start it: ${m.howToStart}`);
  }
  return missing.map((m) => m.name);
}

export const standardTargets = (databaseUrl: string, redisUrl: string): ServiceTarget[] => [
  { name: 'Postgres', url: databaseUrl, defaultPort: 5432, howToStart: '`docker compose up -d postgres`, or `pg_ctlcluster --skip-systemctl-redirect 15 main start`' },
  { name: 'Redis', url: redisUrl, defaultPort: 6379, howToStart: '`docker compose up -d redis`, or `redis-server --daemonize yes --bind 127.0.0.1 --port 6379`' },
];
