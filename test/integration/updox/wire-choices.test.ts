/**
 * The wire details where the real client and the wiki's samples differ (docs/vendor-assumptions.md):
 * `active` as a JSON boolean or a string, unused auth keys left out or sent empty, Ping's body, and
 * `successful` vs `responseCode`. A loopback HTTP server records each request body and answers
 * what the test tells it to.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log';
import { createUpdoxClient, type ClientConfig } from '../../../src/updox/client';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

let server: Server;
let base = '';
let reply: Record<string, unknown> = { successful: true, responseCode: 2000, responseMessage: 'OK' };
const bodies: Record<string, unknown>[] = [];
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testPrefix('wire');
let n = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => { text += c.toString(); });
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/io`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  redis.disconnect();
  await deleteKeys(prefix);
});

function client(extra: Partial<ClientConfig> = {}) {
  return createUpdoxClient({
    baseUrl: base, applicationId: 'app', applicationPassword: 'pwd-Secret', requestsPerSecond: 500, maxInFlight: 4, timeoutMs: 2_000, maxRetries: 0,
    maxListBytes: 2 * 1024 ** 3, readShare: 0.2, ...extra,
  }, { redis, log: createLogger({ level: 'silent' }), limiterKey: `${prefix}:${n++}` });
}

async function lastBody(run: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const before = bodies.length;
  await run();
  expect(bodies.length).toBe(before + 1);
  return bodies[bodies.length - 1]!;
}

describe('wire choices', () => {
  it('sends active as a JSON boolean by default and as "true"/"false" with activeFormat string', async () => {
    const c = client();
    expect((await lastBody(() => c.practiceSave({ accountId: 'a', name: 'N', active: 'true' }))).active).toBe(true);
    expect((await lastBody(() => c.practiceSave({ accountId: 'a', name: 'N', active: false }))).active).toBe(false);
    const s = client({ activeFormat: 'string' });
    expect((await lastBody(() => s.practiceSave({ accountId: 'a', name: 'N', active: true }))).active).toBe('true');
    await Promise.all([c.close(), s.close()]);
  });

  it('leaves unused auth keys out by default and sends all four with authKeys all', async () => {
    const c = client();
    expect((await lastBody(() => c.practiceList())).auth).toEqual({ applicationId: 'app', applicationPassword: 'pwd-Secret' });
    expect((await lastBody(() => c.smsSendNumberList('acct-1'))).auth).toEqual({ applicationId: 'app', applicationPassword: 'pwd-Secret', accountId: 'acct-1' });
    const all = client({ authKeys: 'all' });
    expect((await lastBody(() => all.practiceList())).auth).toEqual({ applicationId: 'app', applicationPassword: 'pwd-Secret', accountId: '', userId: '' });
    await Promise.all([c.close(), all.close()]);
  });

  it("sends Ping's body as {auth: {}} by default and {} with pingBody empty", async () => {
    const c = client();
    expect(await lastBody(() => c.ping())).toEqual({ auth: {} });
    const e = client({ pingBody: 'empty' });
    expect(await lastBody(() => e.ping())).toEqual({});
    await Promise.all([c.close(), e.close()]);
  });

  it('reads a write whose successful and responseCode disagree as an ambiguous bad reply', async () => {
    const c = client();
    reply = { successful: false, responseCode: 2000, responseMessage: 'OK', accountId: 'a', action: 'update' };
    const r = await c.practiceSave({ accountId: 'a', name: 'N' });
    expect(r).toMatchObject({ outcome: 'permanent', reason: 'UPDOX_BAD_REPLY', ambiguous: true, code: 2000 });
    reply = { successful: 'true', responseCode: 2000, responseMessage: 'OK', accountId: 'a', action: 'update' };
    expect((await c.practiceSave({ accountId: 'a', name: 'N' })).outcome).toBe('ok');
    const byCode = client({ successRule: 'code' });
    reply = { successful: false, responseCode: 2000, responseMessage: 'OK' };
    expect((await byCode.practiceSave({ accountId: 'a', name: 'N' })).outcome).toBe('ok');
    reply = { successful: true, responseCode: 2000, responseMessage: 'OK' };
    await Promise.all([c.close(), byCode.close()]);
  });
});
