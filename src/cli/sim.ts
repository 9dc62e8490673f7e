/**
 * `updox-sync sim`: runs the Updox simulator (src/simulator, docs/simulator.md) until SIGINT or
 * SIGTERM. It accepts the credentials the client is configured with (UPDOX_APPLICATION_ID /
 * UPDOX_APPLICATION_PASSWORD, defaults demo-app / demo-secret) and the HMAC secret
 * (UPDOX_HMAC_SECRET), so `UPDOX_BASE_URL=<printed base URL>` is all the client needs.
 */
import { readFileSync } from 'node:fs';
import { BadInputError } from '../errors';
import { startSimulator, type Fault, type SimulatorOptions } from '../simulator';
import type { RegisterCommand } from './context';

interface SimCliOptions {
  port?: string;
  host: string;
  hmacSecret?: string;
  rateLimit?: string;
  burst?: string;
  fault: string[];
  seed?: string;
  verificationBusinessDays?: string;
  rejectionRate?: string;
  sms: boolean;
  autoRequestVerification?: boolean;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookMode: string;
  maxBodyBytes?: string;
  seedFile?: string;
  readShape?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function num(flag: string, value: string | undefined, check: (n: number) => boolean, rule: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new BadInputError('SIM_BAD_OPTION', `--${flag} ${rule}, got "${value}"`);
  return n;
}

/** Default port: the one in UPDOX_BASE_URL when it points at loopback, else 8089 (.env.example). */
function defaultPort(env: NodeJS.ProcessEnv): number {
  try {
    const u = new URL(env.UPDOX_BASE_URL ?? '');
    if (['127.0.0.1', 'localhost'].includes(u.hostname) && u.port) return Number(u.port);
  } catch { /* not set or not a URL */ }
  return 8089;
}

export function simOptionsFromCli(o: SimCliOptions, env: NodeJS.ProcessEnv): SimulatorOptions {
  const faults: Fault[] = o.fault.map((text, i) => {
    try {
      return JSON.parse(text) as Fault;
    } catch {
      throw new BadInputError('SIM_BAD_OPTION', `--fault #${i + 1} is not JSON: ${text}`);
    }
  });
  const rps = num('rate-limit', o.rateLimit, (n) => n >= 0, 'must be a number ≥ 0');
  const burst = num('burst', o.burst, (n) => n >= 1, 'must be a number ≥ 1');
  const port = num('port', o.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'must be 0–65535') ?? defaultPort(env);
  const days = num('verification-business-days', o.verificationBusinessDays, (n) => Number.isInteger(n) && n >= 0, 'must be a whole number ≥ 0');
  const rejection = num('rejection-rate', o.rejectionRate, (n) => n >= 0 && n <= 1, 'must be between 0 and 1');
  const maxBody = num('max-body-bytes', o.maxBodyBytes, (n) => Number.isInteger(n) && n > 0, 'must be a positive integer');
  const hmacSecret = o.hmacSecret ?? env.UPDOX_HMAC_SECRET;
  const webhookSecret = o.webhookSecret ?? env.WEBHOOK_SECRET;
  if (o.webhookUrl && !webhookSecret) throw new BadInputError('SIM_BAD_OPTION', '--webhook-url needs --webhook-secret (or WEBHOOK_SECRET)');
  if (o.readShape !== undefined && !['full', 'recorded', 'pre-1.1'].includes(o.readShape)) throw new BadInputError('SIM_BAD_OPTION', `--read-shape must be full, recorded or pre-1.1, got "${o.readShape}"`);
  if (!['hmac', 'bearer'].includes(o.webhookMode)) throw new BadInputError('SIM_BAD_OPTION', `--webhook-mode must be hmac or bearer, got "${o.webhookMode}"`);
  return {
    applicationId: env.UPDOX_APPLICATION_ID || 'demo-app',
    applicationPassword: env.UPDOX_APPLICATION_PASSWORD || 'demo-secret',
    port,
    host: o.host,
    smsEnabled: o.sms,
    faults,
    ...(hmacSecret ? { hmacSecret } : {}),
    ...(rps !== undefined ? { rateLimit: { requestsPerSecond: rps, ...(burst !== undefined ? { burst } : {}) } } : {}),
    ...(o.seed !== undefined ? { seed: /^\d+$/.test(o.seed) ? Number(o.seed) : o.seed } : {}),
    ...(days !== undefined ? { verificationBusinessDays: days } : {}),
    ...(rejection !== undefined ? { rejectionRate: rejection } : {}),
    ...(o.autoRequestVerification ? { autoRequestVerification: true } : {}),
    ...(maxBody !== undefined ? { maxBodyBytes: maxBody } : {}),
    ...(o.readShape ? { readShape: o.readShape as 'full' | 'recorded' | 'pre-1.1' } : {}),
    ...(o.webhookUrl && webhookSecret ? { webhook: { url: o.webhookUrl, secret: webhookSecret, mode: o.webhookMode as 'hmac' | 'bearer' } } : {}),
  };
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('sim')
    .description('run the Updox simulator on loopback until Ctrl-C (docs/simulator.md)')
    .option('--port <port>', 'port (default: the port of UPDOX_BASE_URL when it is loopback, else 8089; 0 = any free port)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--hmac-secret <secret>', 'turn on the HMAC layer (default UPDOX_HMAC_SECRET)')
    .option('--rate-limit <rps>', 'per-application token bucket, requests per second (default off)')
    .option('--burst <n>', 'bucket capacity (default: the rate)')
    .option('--fault <json>', 'a fault, e.g. \'{"method":"PracticeSave","rate":0.1,"kind":"envelope","code":5000}\' (repeatable)', collect, [])
    .option('--seed <n>', 'PRNG seed for fault rates and rejections')
    .option('--verification-business-days <n>', 'business days until a PENDING number completes (default 2)')
    .option('--rejection-rate <r>', 'share of verifications rejected, 0..1 (default 0)')
    .option('--no-sms', 'SMS not enabled for the credentials: SMS methods answer 4015')
    .option('--auto-request-verification', 'numbers of complete accounts start PENDING without a first send')
    .option('--webhook-url <url>', 'POST sms_verification_status events here')
    .option('--webhook-secret <secret>', 'webhook signing secret (default WEBHOOK_SECRET)')
    .option('--webhook-mode <mode>', 'hmac or bearer', 'hmac')
    .option('--max-body-bytes <n>', 'bodies above this answer 4020 (default 10 MiB)')
    .option('--read-shape <shape>', 'PracticeGet/PracticeList replies: full (every field), recorded (the real client\'s recorded shape: no 1.1 fields unless set) or pre-1.1 (never a 1.1 field)')
    .option('--seed-file <file>', 'JSON { practices?, numbers?, users? } loaded at start (same shape as POST /_sim/seed)')
    .action(async (o: SimCliOptions) => {
      const sim = await startSimulator(simOptionsFromCli(o, process.env));
      try {
        if (o.seedFile) {
          const res = await fetch(`${sim.url}/_sim/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(o.seedFile, 'utf8') });
          if (!res.ok) throw new BadInputError('SIM_BAD_SEED', `--seed-file ${o.seedFile}: ${await res.text()}`);
        }
      } catch (err) {
        await sim.close();
        throw err;
      }
      ctx.print(`Updox simulator listening on ${sim.url}`);
      ctx.print(`UPDOX_BASE_URL=${sim.baseUrl}`);
      await new Promise<void>((resolve) => {
        const stop = () => void sim.close().then(resolve, resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
};
