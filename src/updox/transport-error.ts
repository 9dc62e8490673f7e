/**
 * Normalizes what undici (or Node's net layer) throws into a TransportFailure for classifyReply.
 * Pure: looks only at error names and codes. Connection-phase failures mean nothing was sent; every
 * later failure is treated as "sent" (we cannot prove the server did not read the request).
 */
import type { TransportFailure } from './classify-reply';

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function codesOf(err: unknown): { codes: string[]; names: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (typeof o.name === 'string') names.push(o.name);
    // AggregateError (happy-eyeballs connect): look at the first inner error too.
    if (Array.isArray(o.errors) && o.errors[0] && typeof (o.errors[0] as { code?: unknown }).code === 'string') {
      codes.push((o.errors[0] as { code: string }).code);
    }
    e = o.cause;
  }
  return { codes, names };
}

/**
 * @param err what the HTTP layer threw
 * @param timeoutMs the configured timeout, for the message
 * @param aborted true when the caller's signal fired (not our own timeout)
 */
export function toTransportFailure(err: unknown, timeoutMs: number, aborted = false): TransportFailure {
  const { codes, names } = codesOf(err);
  const first = codes[0] ?? names[0] ?? 'unknown';
  if (aborted) return { kind: 'aborted', sent: !codes.some((c) => NOT_SENT_CODES.has(c) || c === 'UND_ERR_CONNECT_TIMEOUT'), detail: first };
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return { kind: 'connect_timeout', sent: false, detail: `${timeoutMs} ms` };
  const notSent = codes.find((c) => NOT_SENT_CODES.has(c));
  if (notSent) return { kind: 'refused', sent: false, detail: notSent };
  const timeout = codes.find((c) => TIMEOUT_CODES.has(c));
  if (timeout || names.includes('TimeoutError')) return { kind: 'timeout', sent: true, detail: `${timeoutMs} ms, ${timeout ?? 'TimeoutError'}` };
  const reset = codes.find((c) => RESET_CODES.has(c));
  if (reset) return { kind: 'reset', sent: true, detail: reset };
  return { kind: 'other', sent: true, detail: first };
}
