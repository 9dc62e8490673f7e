/**
 * Each command asks only for the settings it uses (src/cli/needs.ts), run in this process through
 * the CLI's main() with its own environment and output (a subprocess per command costs seconds).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { COMMAND_NEEDS } from '../../../src/cli/needs';
import { probePostgres, probeRedis } from '../../../src/preflight';
import { testEnv } from '../../helpers/env';

/** A loopback port nothing listens on. */
let closedPort = 0;
/** A TCP server that accepts connections and never says a word (a hung service). */
let silent: net.Server;
let silentPort = 0;
const sockets = new Set<net.Socket>();
beforeAll(async () => {
  silent = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentPort = (silent.address() as net.AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

async function cli(args: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'updox-sync', ...args], {
    env, dotenv: false, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const noUpdox = (over: Record<string, string | undefined> = {}) => testEnv({
  UPDOX_BASE_URL: undefined, UPDOX_APPLICATION_ID: undefined, UPDOX_APPLICATION_PASSWORD: undefined, ...over,
});
const ARGS: Record<string, string[]> = {
  run: ['run', 'abcd'], approve: ['approve', 'abcd'], cancel: ['cancel', 'abcd'], resume: ['resume', 'abcd'], import: ['import', '--file', 'x.csv'],
};

describe('each command asks only for what it uses', () => {
  it('names every missing Updox setting with the command for those that call Updox, and never asks the others', async () => {
    // Without Updox settings and with Postgres and Redis on a closed port: a command that calls
    // Updox stops at the settings (exit 2), every other one gets past them to the services (exit 6).
    const env = noUpdox({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/x`, REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    const names = Object.keys(COMMAND_NEEDS);
    // The long-running services (worker, serve) print no summary, so they have no --json.
    const json = (name: string) => !['worker', 'serve'].includes(name);
    const results = await Promise.all(names.map((name) => cli([...(ARGS[name] ?? [name]), ...(json(name) ? ['--json'] : [])], env)));
    names.forEach((name, i) => {
      const r = results[i]!;
      const line = r.stderr.trim();
      const out = json(name)
        ? JSON.parse(r.stdout.trim()) as { error: { code: string; message: string } }
        : { error: { code: /\[(\w+)\]/.exec(line)?.[1] ?? 'CONFIG_INVALID', message: line } };
      if (COMMAND_NEEDS[name]!.requires?.includes('updox')) {
        expect(r.code, name).toBe(2);
        for (const v of ['UPDOX_BASE_URL', 'UPDOX_APPLICATION_ID', 'UPDOX_APPLICATION_PASSWORD']) expect(out.error.message, name).toContain(v);
        expect(out.error.message, name).toContain(`updox-sync ${name}`);
      } else {
        expect(r.code, `${name}: ${r.stderr}`).toBe(6);
        expect(out.error.message, name).not.toMatch(/UPDOX_/);
        expect(out.error.code, name).toMatch(/^(POSTGRES|REDIS)_UNREACHABLE$/);
      }
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
    });
  }, 240_000);
});


describe('service checks wait a bounded time', () => {
  it('gives up on a Postgres and a Redis that accept but never answer after the 1 s given', async () => {
    const t0 = Date.now();
    const [p, r] = await Promise.all([
      probePostgres(`postgres://postgres@127.0.0.1:${silentPort}/x`, 1000),
      probeRedis(`redis://127.0.0.1:${silentPort}`, 1000),
    ]);
    const ms = Date.now() - t0;
    expect(p?.code).toBe('POSTGRES_UNREACHABLE');
    expect(p?.message).toMatch(/no answer within 1 s/);
    expect(r?.code).toBe('REDIS_UNREACHABLE');
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3000);
  });

  it('answers at once for services that are up', async () => {
    expect(await probePostgres('postgres://postgres@127.0.0.1:5432/postgres')).toBeNull();
    expect(await probeRedis(testEnv().REDIS_URL!)).toBeNull();
  });
});
