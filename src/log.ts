/**
 * The root logger (pino). JSON to stdout; pretty only when LOG_PRETTY=true (development).
 * Secrets are redacted at creation with fixed paths (pinojs/pino docs/redaction.md). The Updox
 * client also strips `auth` before logging a request; redaction is the second net.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'auth',
  '*.auth',
  'auth.applicationPassword',
  '*.applicationPassword',
  'applicationPassword',
  '*.password',
  'password',
  '*.pass',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  'smtp.url',
  'smtp.pass',
  'databaseUrl',
  '*.databaseUrl',
  'url',
  '*.hmacSecret',
  'hmacSecret',
  '*.webhookSecret',
  'webhookSecret',
  '*.dashboardPassword',
  'alertWebhookUrl',
  '*.alertWebhookUrl',
];

export interface LogOptions {
  level: string;
  pretty?: boolean;
}

export function createLogger(opts: LogOptions, destination?: DestinationStream): Logger {
  const base = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'updox-sync' },
  };
  if (destination) return pino(base, destination);
  if (opts.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  }
  // stderr, so commands can print their summary (or --json) on stdout cleanly.
  return pino(base, pino.destination(2));
}

/**
 * A log call that repeats itself at most every `everyMs` per message: an error that recurs (a
 * refused Redis, once per reconnection attempt or per call) is logged once, and the next line for
 * it after the quiet period says how many were folded in between (`repeated`). When another error
 * comes first, the folded count of the previous one is logged with it. Without a logger the calls
 * are dropped.
 */
export function throttledLog(log: Logger | undefined, level: 'warn' | 'error', msg: string, everyMs = 30_000):
  (fields: Record<string, unknown> & { err: string }) => void {
  let last: { fields: Record<string, unknown> & { err: string }; at: number } | null = null;
  let folded = 0;
  return (fields) => {
    const now = Date.now();
    const same = fields.err === last?.fields.err;
    if (same && now - last!.at < everyMs) { folded++; return; }
    if (!same && folded) log?.[level]({ ...last!.fields, repeated: folded }, msg);
    log?.[level]({ ...fields, ...(same && folded ? { repeated: folded } : {}) }, msg);
    last = { fields, at: now };
    folded = 0;
  };
}
