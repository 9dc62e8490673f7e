import { describe, expect, it } from 'vitest';
import { simOptionsFromCli } from '../../../src/cli/sim';
import { SyncError } from '../../../src/errors';

const base = { host: '127.0.0.1', fault: [] as string[], sms: true, webhookMode: 'hmac' };

describe('updox-sync sim options', () => {
  it('takes the client credentials and port from the environment, with demo defaults', () => {
    expect(simOptionsFromCli(base, {})).toMatchObject({ applicationId: 'demo-app', applicationPassword: 'demo-secret', port: 8089, smsEnabled: true });
    const o = simOptionsFromCli(base, { UPDOX_APPLICATION_ID: 'x', UPDOX_APPLICATION_PASSWORD: 'y', UPDOX_BASE_URL: 'http://127.0.0.1:9123/api/io', UPDOX_HMAC_SECRET: 'h' });
    expect(o).toMatchObject({ applicationId: 'x', applicationPassword: 'y', port: 9123, hmacSecret: 'h' });
  });

  it('maps every flag', () => {
    const o = simOptionsFromCli({
      ...base, port: '0', rateLimit: '20', burst: '5', fault: ['{"kind":"reset","rate":0.1}'], seed: '7', verificationBusinessDays: '3',
      rejectionRate: '0.5', sms: false, autoRequestVerification: true, webhookUrl: 'http://127.0.0.1:1/h', webhookSecret: 's', maxBodyBytes: '1000',
    }, {});
    expect(o).toMatchObject({
      port: 0, rateLimit: { requestsPerSecond: 20, burst: 5 }, faults: [{ kind: 'reset', rate: 0.1 }], seed: 7, verificationBusinessDays: 3,
      rejectionRate: 0.5, smsEnabled: false, autoRequestVerification: true, webhook: { url: 'http://127.0.0.1:1/h', secret: 's', mode: 'hmac' }, maxBodyBytes: 1000,
    });
  });

  it.each([
    [{ port: '70000' }, '--port'],
    [{ rejectionRate: '2' }, '--rejection-rate'],
    [{ fault: ['{nope'] }, '--fault #1'],
    [{ webhookUrl: 'http://127.0.0.1:1/h' }, '--webhook-url needs'],
    [{ webhookMode: 'basic' }, '--webhook-mode'],
  ])('refuses %o with a named error', (over, text) => {
    expect(() => simOptionsFromCli({ ...base, ...over }, {})).toThrow(SyncError);
    expect(() => simOptionsFromCli({ ...base, ...over }, {})).toThrow(text);
  });
});
