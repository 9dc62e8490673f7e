/**
 * One pure decision: what an Updox reply (or a transport failure) means. STYLE.md §5: the body
 * decides, not the HTTP status, because Updox answers HTTP 200 with `successful: false`.
 * The full table lives in docs/client.md; test/unit/updox/classify-reply.test.ts pins every row.
 *
 * Pure: imports only zod-free types; no clock (pass `nowMs` to resolve an HTTP-date Retry-After).
 */
import type { OutcomeKind } from './types';

/** What went wrong below HTTP, already normalized (see transport-error.ts). */
export type TransportErrorKind =
  | 'connect_timeout' // no connection within the timeout: nothing was sent
  | 'refused' // ECONNREFUSED / host unreachable / DNS: nothing was sent
  | 'timeout' // connected and sent, no (complete) reply within the timeout
  | 'reset' // the socket was closed or reset after the request was written
  | 'aborted' // the caller's AbortSignal fired
  | 'other'; // anything else; treated as sent

export interface TransportFailure {
  kind: TransportErrorKind;
  /** Whether the request may have reached the server (decides `ambiguous`). */
  sent: boolean;
  /** A short, credential-free description (error code, timeout length). */
  detail?: string;
}

/** Stable string codes for outcomes that carry no Updox responseCode (listed in docs/client.md). */
export type ReplyReason =
  | 'UPDOX_TIMEOUT'
  | 'UPDOX_CONNECT_TIMEOUT'
  | 'UPDOX_CONNECTION_REFUSED'
  | 'UPDOX_CONNECTION_RESET'
  | 'UPDOX_TRANSPORT_ERROR'
  | 'UPDOX_ABORTED'
  | 'UPDOX_HTTP_STATUS'
  | 'UPDOX_BAD_REPLY'
  | 'UPDOX_REPLY_TOO_LARGE';

export interface Classification {
  outcome: OutcomeKind;
  /** Updox responseCode, or null when no valid envelope came back. */
  code: number | null;
  message: string;
  retryAfterMs?: number;
  /** The request may have been applied although no verdict was read. */
  ambiguous: boolean;
  /** Set when `code` is null (or the HTTP layer decided): a stable reason string. */
  reason?: ReplyReason;
}

export interface ClassifyContext {
  /** The Updox method, e.g. 'PracticeSave'; decides what 4011 means. */
  method?: string;
  /** The raw Retry-After header value, if any. */
  retryAfter?: string | null;
  /** Current time (ms since epoch) to resolve an HTTP-date Retry-After. */
  nowMs?: number;
  /**
   * `both` (default): `successful` and `responseCode` must agree; when they do not, the reply is a
   * bad reply (and, for a write, ambiguous). `code`: responseCode alone decides (UPDOX_SUCCESS_RULE).
   */
  successRule?: 'both' | 'code';
}

/**
 * Methods whose request names an account (body or auth accountId): a 4011 there means "this
 * practice is unknown or inactive at Updox" and is permanent for that practice. On a method that
 * names no account (PracticeList, vendor pings) a 4011 can only be a credentials problem: halt.
 */
const ACCOUNT_SCOPED = new Set([
  'practicecreate', 'practiceupdate', 'practicesave', 'practiceget',
  'smssendnumberlist', 'smssend', 'pingwithaccountauth', 'pingwithauth', 'patientdirectmessagesend',
]);

const HALT_CODES = new Set([4010, 4012, 4013, 4014, 4015]);

interface Envelope { successful: boolean | undefined; responseCode: number; responseMessage: string }

/** `successful` as a boolean: a JSON boolean or the strings "true"/"false" (any case); null when neither. */
function readSuccessful(v: unknown): boolean | undefined | null {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return null;
}

/** Reads the envelope from a parsed body; null when it is not one (no integer responseCode, or a `successful` that is no boolean). */
export function readEnvelope(body: unknown): Envelope | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const raw = b.responseCode;
  const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{4}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(code)) return null;
  const successful = readSuccessful(b.successful);
  if (successful === null) return null;
  const msg = typeof b.responseMessage === 'string' ? b.responseMessage : '';
  return { successful, responseCode: code, responseMessage: msg };
}

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs?: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (nowMs === undefined) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The outcome of one envelope code, for the given method. */
export function classifyCode(code: number, method?: string): OutcomeKind {
  if (code >= 2000 && code < 3000) return 'ok';
  if (code === 4035) return 'pending_verification';
  if (code === 4039) return 'insufficient_details';
  if (code === 4011) return method && ACCOUNT_SCOPED.has(method.toLowerCase()) ? 'permanent' : 'halt';
  if (HALT_CODES.has(code)) return 'halt';
  if (code >= 5000 && code < 6000) return 'retryable';
  // 4xxx data refusals and any code outside the documented groups: do not retry.
  return 'permanent';
}

function transportOutcome(t: TransportFailure): Classification {
  const detail = t.detail ? ` (${t.detail})` : '';
  switch (t.kind) {
    case 'connect_timeout':
      return { outcome: 'retryable', code: null, reason: 'UPDOX_CONNECT_TIMEOUT', ambiguous: false, message: `could not connect to Updox in time${detail}; nothing was sent` };
    case 'refused':
      return { outcome: 'retryable', code: null, reason: 'UPDOX_CONNECTION_REFUSED', ambiguous: false, message: `connection to Updox refused${detail}; nothing was sent` };
    case 'timeout':
      return { outcome: 'retryable', code: null, reason: 'UPDOX_TIMEOUT', ambiguous: t.sent, message: `no reply from Updox in time${detail}${t.sent ? '; the request was sent and may have been applied' : ''}` };
    case 'reset':
      return { outcome: 'retryable', code: null, reason: 'UPDOX_CONNECTION_RESET', ambiguous: t.sent, message: `connection to Updox closed before the reply${detail}${t.sent ? '; the request may have been applied' : ''}` };
    case 'aborted':
      return { outcome: 'retryable', code: null, reason: 'UPDOX_ABORTED', ambiguous: t.sent, message: `call aborted by the caller${t.sent ? ' after the request was sent; it may have been applied' : ' before anything was sent'}` };
    default:
      return { outcome: 'retryable', code: null, reason: 'UPDOX_TRANSPORT_ERROR', ambiguous: t.sent, message: `transport error talking to Updox${detail}` };
  }
}

/** HTTP statuses the server uses to refuse before doing any work: not ambiguous. */
const REFUSED_STATUSES = new Set([408, 425, 429, 503]);

/**
 * Classify one attempt.
 * - `httpStatus`: the HTTP status, or null when no response arrived.
 * - `body`: the parsed JSON body; a string when the body was not JSON; null when empty/absent.
 * - `transportError`: set when no (complete) response arrived.
 */
export function classifyReply(
  httpStatus: number | null,
  body: unknown,
  transportError?: TransportFailure | null,
  ctx: ClassifyContext = {},
): Classification {
  if (transportError) return transportOutcome(transportError);
  if (httpStatus === null) return transportOutcome({ kind: 'other', sent: true, detail: 'no response' });

  const env = readEnvelope(body);
  const retryAfterMs = parseRetryAfter(ctx.retryAfter, ctx.nowMs);
  const withRetryAfter = (c: Classification): Classification => (retryAfterMs === undefined ? c : { ...c, retryAfterMs });

  if (httpStatus >= 200 && httpStatus < 300) {
    if (!env) {
      return {
        outcome: 'permanent', code: null, reason: 'UPDOX_BAD_REPLY', ambiguous: true,
        message: `HTTP ${httpStatus} without a valid Updox envelope (${describeBody(body)}); the request may have been applied`,
      };
    }
    const codeSays = env.responseCode >= 2000 && env.responseCode < 3000;
    if ((ctx.successRule ?? 'both') === 'both' && env.successful !== undefined && env.successful !== codeSays) {
      // Neither half can be trusted: a write may or may not have been applied.
      return {
        outcome: 'permanent', code: env.responseCode, reason: 'UPDOX_BAD_REPLY', ambiguous: true,
        message: `successful ${env.successful} disagrees with responseCode ${env.responseCode}${env.responseMessage ? ` (${env.responseMessage})` : ''}; the request may have been applied`,
      };
    }
    return withRetryAfter({ outcome: classifyCode(env.responseCode, ctx.method), code: env.responseCode, message: env.responseMessage, ambiguous: false });
  }

  // Throttling and server-side failures: retryable whatever the body says (A13: a 429 carries 5000).
  if (httpStatus === 429 || httpStatus >= 500 || httpStatus === 408 || httpStatus === 425) {
    const ambiguous = !REFUSED_STATUSES.has(httpStatus); // 500/502/504: a gateway or server failed mid-flight
    return withRetryAfter({
      outcome: 'retryable', code: env?.responseCode ?? null, reason: 'UPDOX_HTTP_STATUS', ambiguous,
      message: `HTTP ${httpStatus}${env?.responseMessage ? `: ${env.responseMessage}` : ` (${describeBody(body)})`}`,
    });
  }

  // Other 4xx (A1/A2: 400/404 with envelope 4000) and 3xx: the request itself is wrong.
  if (env) {
    const outcome = classifyCode(env.responseCode, ctx.method);
    return { outcome: outcome === 'ok' ? 'permanent' : outcome, code: env.responseCode, message: `HTTP ${httpStatus}: ${env.responseMessage}`, ambiguous: false, reason: 'UPDOX_HTTP_STATUS' };
  }
  return { outcome: 'permanent', code: null, reason: 'UPDOX_HTTP_STATUS', ambiguous: false, message: `HTTP ${httpStatus} (${describeBody(body)})` };
}

/** A short, safe description of a body that is not an envelope (never the body itself: it could echo a request). */
function describeBody(body: unknown): string {
  if (body === null || body === undefined || body === '') return 'empty body';
  if (typeof body === 'string') return /^\s*</.test(body) ? 'HTML body' : 'non-JSON body';
  if (Array.isArray(body)) return 'JSON array';
  if (typeof body === 'object') return 'JSON without responseCode';
  return `JSON ${typeof body}`;
}
