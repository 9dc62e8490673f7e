/**
 * The Updox client: the only door to the vendor API. Every call is a POST of JSON with the `auth`
 * block in the body (updox-api.md §1.2), optionally signed (§1.3), sent behind the shared Redis
 * rate limiter, classified by classify-reply.ts and retried with full-jitter backoff only when the
 * method makes that safe (retry-policy.ts). Call outcomes never throw: they come back as a
 * CallResult. Only a malformed request (our bug) throws a BadInputError.
 * Behaviour, tables and knobs: docs/client.md.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { requireUpdox, type UpdoxSettings } from '../config';
import { BadInputError } from '../errors';
import { throttledLog } from '../log';
import { classifyReply, type Classification } from './classify-reply';
import { hmacHeaders } from './hmac';
import { laneOf } from './rate-lanes';
import { createRateLimiter, sleepWithSignal, type LimiterStats, type RateLimiterOptions } from './rate-limiter';
import { backoffMs, DEFAULT_BACKOFF, isOverloadSignal, mayRetry, type BackoffOptions } from './retry-policy';
import { createTransport, type AttemptReply, type StreamTarget } from './transport';
import type { CallOptions, CallResult, UpdoxClient, UpdoxPractice } from './types';
import {
  describeIssues, directMessageRequestSchema, practiceRequestSchema, replySchemas, smsSendRequestSchema,
  type DirectMessageRequest, type UpdoxMethod, type WireAuth,
} from './wire';

/** The vendor-behaviour keys of the client's config; each has the default of config.ts when left out. */
type WireChoices = 'activeFormat' | 'authKeys' | 'pingBody' | 'successRule';
export type ClientConfig = Omit<UpdoxSettings, WireChoices | 'readOnlyPracticeFields' | 'notFoundCodes' | 'lostReplyListFallback'> & Partial<Pick<UpdoxSettings, WireChoices>>;

export interface CreateClientOptions {
  redis: Redis;
  log: Logger;
  /** Redis key shared by every process that must respect the same global limit. */
  limiterKey: string;
  userAgent?: string;
  /** Backoff tuning (tests use short waits). */
  backoff?: Partial<BackoffOptions>;
  /** Adaptive limiter tuning. */
  limiter?: Partial<Pick<RateLimiterOptions, 'decreaseFactor' | 'floorShare' | 'recoverySharePerSecond' | 'cooldownMs'>>;
  /** Clock for the HMAC timestamp and HTTP-date Retry-After (tests). */
  now?: () => Date;
  random?: () => number;
  /** Called after every attempt (metrics hook, e.g. a prom-client counter). Must not throw. */
  onAttempt?: (e: AttemptEvent) => void;
}

export interface AttemptEvent {
  method: UpdoxMethod;
  attempt: number;
  outcome: CallResult['outcome'];
  code: number | null;
  httpStatus: number | null;
  reason?: string;
  ms: number;
}

export interface ClientStats {
  limiter: LimiterStats;
  /** Attempts by outcome (this process). */
  attempts: Record<string, number>;
  retries: number;
}

export interface UpdoxHttpClient extends Required<UpdoxClient> {
  stats(): ClientStats;
}

type Level = 'none' | 'vendor' | 'account' | 'user';
type PracticeReply = { accountId: string; action: string };
type Version = '1.1' | null;

interface CallSpec {
  method: UpdoxMethod;
  version?: Version;
  level: Level;
  accountId?: string;
  userId?: string;
  payload: Record<string, unknown>;
  opts?: CallOptions;
  /** Parse the reply as it arrives and hand its array's entries to the sink (PracticeList). */
  stream?: StreamTarget & { begin(attempt: number): Promise<void> };
}

const WRITE_METHODS = new Set<UpdoxMethod>(['PracticeSave', 'PracticeCreate', 'PracticeUpdate', 'SmsSend', 'PatientDirectMessageSend']);

/** A reply cut at its size limit: permanent, with the limit and the size seen in the message. */
function tooLargeClassification(method: UpdoxMethod, t: NonNullable<AttemptReply['tooLarge']>, limitName: string): Classification {
  const seen = t.contentLength !== null ? `its Content-Length is ${t.contentLength} bytes` : `${t.seenBytes} bytes were read before the read stopped`;
  return {
    // A write's request was read and may have been applied; a read's was not.
    outcome: 'permanent', code: null, reason: 'UPDOX_REPLY_TOO_LARGE', ambiguous: WRITE_METHODS.has(method),
    message: `${method} reply is larger than the limit of ${t.limitBytes} bytes (${limitName}): ${seen}`,
  };
}

export function createUpdoxClient(settings: ClientConfig, opts: CreateClientOptions): UpdoxHttpClient {
  const config = requireUpdox(settings as UpdoxSettings);
  const activeFormat = settings.activeFormat ?? 'boolean';
  const authKeys = settings.authKeys ?? 'used';
  const pingBody = settings.pingBody ?? 'empty-auth';
  const successRule = settings.successRule ?? 'both';
  const log = opts.log.child({ component: 'updox' });
  const base = config.baseUrl.replace(/\/+$/, '');
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const transport = createTransport({ timeoutMs: config.timeoutMs, connections: config.maxInFlight, userAgent: opts.userAgent ?? 'updox-sync/0.1' });
  const limiter = createRateLimiter(opts.redis, {
    key: opts.limiterKey,
    requestsPerSecond: config.requestsPerSecond,
    maxInFlight: config.maxInFlight,
    // An attempt is bounded by connect + headers + body timeouts; the lease outlives it.
    leaseMs: config.timeoutMs * 3 + 5_000,
    readShare: config.readShare,
    ...opts.limiter,
  });
  // One line per error per 30 s: with Redis down, every call (concurrency × rate) would log one.
  const limiterDown = throttledLog(log, 'warn', 'updox limiter unavailable');
  const attempts: Record<string, number> = {};
  let retries = 0;
  const secrets = [config.applicationPassword, config.hmacSecret].filter((v): v is string => typeof v === 'string' && v.length >= 3);
  const scrub = (text: string) => secrets.reduce((t, sec) => t.split(sec).join('[redacted]'), text);

  const authFor = (level: Level, accountId = '', userId = ''): WireAuth => ({
    applicationId: config.applicationId,
    applicationPassword: config.applicationPassword,
    accountId: level === 'account' || level === 'user' ? accountId : '',
    userId: level === 'user' ? userId : '',
  });
  /**
   * The `auth` block as sent: with authKeys `used`, only the keys the level needs ([S23]
   * connection.rb keeps only the required ones; a vendor-level call sends no accountId/userId);
   * with `all`, all four, the unused ones as "" (the wiki's samples). HMAC signs all four either way.
   */
  const wireAuth = (a: WireAuth, level: Level): Partial<WireAuth> => {
    if (authKeys === 'all') return a;
    const out: Partial<WireAuth> = { applicationId: a.applicationId, applicationPassword: a.applicationPassword };
    if (level === 'account' || level === 'user') out.accountId = a.accountId;
    if (level === 'user') out.userId = a.userId;
    return out;
  };

  async function call<T>(spec: CallSpec): Promise<CallResult<T>> {
    const { method, opts: callOpts = {} } = spec;
    // A per-call signal that follows the caller's: many concurrent calls often share one signal,
    // and the limiter and undici add listeners to it (MaxListenersExceededWarning on the shared one).
    const signal = callOpts.signal ? AbortSignal.any([callOpts.signal]) : undefined;
    const maxRetries = Math.max(0, callOpts.maxRetries ?? config.maxRetries);
    const url = `${base}/${method}${spec.version ? `/${spec.version}` : ''}`;
    const auth = spec.level === 'none' ? null : authFor(spec.level, spec.accountId, spec.userId);
    // Ping names no credentials; [S23] still sends an empty auth block.
    const authBlock = auth ? wireAuth(auth, spec.level) : pingBody === 'empty-auth' ? {} : null;
    const json = JSON.stringify(authBlock ? { ...spec.payload, auth: authBlock } : spec.payload);
    const logCtx = { updoxMethod: method, ...(spec.accountId ? { accountId: spec.accountId } : {}) };
    if (log.isLevelEnabled('trace')) log.trace({ ...logCtx, request: spec.payload }, 'updox request'); // payload never holds `auth`
    let everAmbiguous = false;
    let last: CallResult<T> | null = null;

    for (let attempt = 1; ; attempt++) {
      let release: () => Promise<void>;
      try {
        release = await limiter.acquire(signal, laneOf(method));
      } catch (err) {
        const aborted = Boolean(signal?.aborted);
        if (!aborted) limiterDown({ ...logCtx, err: scrub(String((err as Error)?.message ?? err)) });
        return last ?? {
          outcome: 'retryable', code: null, httpStatus: null, body: null, attempts: attempt - 1, ambiguous: everAmbiguous,
          reason: aborted ? 'UPDOX_ABORTED' : 'UPDOX_LIMITER_ERROR',
          message: aborted ? 'call aborted by the caller before anything was sent' : 'rate limiter (Redis) unavailable; nothing was sent',
        };
      }
      const t0 = performance.now();
      const headers: Record<string, string> = auth && config.hmacSecret ? hmacHeaders(auth, config.hmacSecret, now()) : {};
      const stream = spec.stream;
      const reply = await (stream
        ? stream.begin(attempt).then(() => transport.postStream(url, json, headers, stream, signal))
        : transport.post(url, json, headers, signal)).finally(() => release());
      const ms = Math.round(performance.now() - t0);
      let c: Classification = reply.tooLarge
        ? tooLargeClassification(method, reply.tooLarge, stream ? 'UPDOX_MAX_LIST_BYTES' : 'the fixed reply limit')
        : classifyReply(reply.httpStatus, reply.body, reply.transportError, { method, retryAfter: reply.retryAfter, nowMs: now().getTime(), successRule });
      let body: Record<string, unknown> | null = reply.body && typeof reply.body === 'object' && !Array.isArray(reply.body) ? reply.body as Record<string, unknown> : null;
      if (c.outcome === 'ok') {
        const parsed = (replySchemas[method] as z.ZodType<Record<string, unknown>>).safeParse(body);
        if (parsed.success) body = parsed.data;
        else c = { outcome: 'permanent', code: c.code, reason: 'UPDOX_BAD_REPLY', ambiguous: false, message: `${method} reply does not match the contract: ${describeIssues(parsed.error)}` };
      }
      everAmbiguous ||= c.ambiguous;
      attempts[c.outcome] = (attempts[c.outcome] ?? 0) + 1;
      log.debug({ ...logCtx, attempt, ms, httpStatus: reply.httpStatus, code: c.code, outcome: c.outcome, ...(c.reason ? { reason: c.reason } : {}), ambiguous: c.ambiguous }, 'updox call');
      opts.onAttempt?.({ method, attempt, outcome: c.outcome, code: c.code, httpStatus: reply.httpStatus, ms, ...(c.reason ? { reason: c.reason } : {}) });

      last = {
        outcome: c.outcome, code: c.code, message: scrub(c.message), httpStatus: reply.httpStatus,
        body: body as (T & Record<string, unknown>) | null, attempts: attempt,
        ambiguous: c.outcome === 'ok' ? false : everAmbiguous,
        ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
      };
      if (isOverloadSignal(c, reply.httpStatus)) {
        const pauseMs = reply.httpStatus === 429 ? Math.min(c.retryAfterMs ?? 0, backoff.maxRetryAfterMs) : 0;
        const rate = await limiter.penalize({ pauseMs }).catch(() => null);
        if (rate !== null && rate < config.requestsPerSecond) log.debug({ ...logCtx, effectiveRps: rate }, 'updox rate lowered');
      }
      if (attempt > maxRetries || !mayRetry(method, c)) return last;
      const wait = backoffMs(attempt, c, backoff, random);
      if (wait === null) return last;
      try {
        await sleepWithSignal(wait, signal);
      } catch {
        return last;
      }
      retries++;
    }
  }

  function practiceWrite(method: 'PracticeSave' | 'PracticeCreate' | 'PracticeUpdate', practice: UpdoxPractice, o: CallOptions & { version?: Version } = {}) {
    const parsed = practiceRequestSchema.safeParse(practice);
    if (!parsed.success) throw new BadInputError('UPDOX_BAD_REQUEST', `${method} request for account ${String(practice?.accountId)}: ${describeIssues(parsed.error)}`);
    const { auth: _ignored, ...payload } = parsed.data as Record<string, unknown>;
    if (payload.active !== undefined) {
      const on = payload.active === true || payload.active === 'true';
      payload.active = activeFormat === 'boolean' ? on : String(on);
    }
    const version = o.version === undefined ? '1.1' : o.version;
    return call<PracticeReply>({ method, version, level: 'vendor', accountId: parsed.data.accountId, payload, opts: o });
  }

  return {
    practiceSave: async (p, o) => practiceWrite('PracticeSave', p, o),
    practiceCreate: async (p, o) => practiceWrite('PracticeCreate', p, o),
    practiceUpdate: async (p, o) => practiceWrite('PracticeUpdate', p, o),
    practiceGet: (accountId, o) => call({ method: 'PracticeGet', level: 'vendor', accountId, payload: { accountId }, opts: o }),
    practiceList: (o) => call({ method: 'PracticeList', level: 'vendor', payload: {}, opts: o }),
    practiceListStream: (sink, o) => call({
      method: 'PracticeList', level: 'vendor', payload: {}, opts: o,
      stream: { arrayKey: 'practiceList', maxBytes: config.maxListBytes, begin: (a) => sink.begin(a), onEntries: (e) => sink.onEntries(e) },
    }),
    smsSendNumberList: (accountId, o) => call({ method: 'SmsSendNumberList', level: 'account', accountId, payload: {}, opts: o }),
    async smsSend(accountId, userId, body, o = {}) {
      const parsed = smsSendRequestSchema.safeParse(body);
      if (!parsed.success) throw new BadInputError('UPDOX_BAD_REQUEST', `SmsSend request for account ${accountId}: ${describeIssues(parsed.error)}`);
      return call({ method: 'SmsSend', level: 'user', accountId, userId, payload: parsed.data, opts: { signal: o.signal, maxRetries: 0 } });
    },
    async patientDirectMessageSend(accountId, userId, body, o = {}) {
      const parsed = directMessageRequestSchema.safeParse(body as DirectMessageRequest);
      if (!parsed.success) throw new BadInputError('UPDOX_BAD_REQUEST', `PatientDirectMessageSend request for account ${accountId}: ${describeIssues(parsed.error)}`);
      return call({ method: 'PatientDirectMessageSend', level: 'user', accountId, userId, payload: parsed.data, opts: { signal: o.signal, maxRetries: 0 } });
    },
    async ping(level = 'none', accountId) {
      if (level === 'account' && !accountId) throw new BadInputError('UPDOX_BAD_REQUEST', 'ping at account level needs an accountId');
      if (level === 'account') return call({ method: 'PingWithAccountAuth', level: 'account', accountId, payload: {} });
      if (level === 'application') return call({ method: 'PingWithApplicationAuth', level: 'vendor', payload: {} });
      return call({ method: 'Ping', level: 'none', payload: {} });
    },
    pingWithAuth: (accountId, userId, o) => call({ method: 'PingWithAuth', level: 'user', accountId, userId, payload: {}, opts: o }),
    stats: () => ({ limiter: limiter.stats(), attempts: { ...attempts }, retries }),
    close: () => transport.close(),
  };
}
