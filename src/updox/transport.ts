/**
 * One HTTP attempt over a pooled keep-alive undici Agent. Returns the status, the Retry-After header
 * and the body (parsed JSON, or the raw text when it is not JSON), or the transport failure. Never
 * throws for network faults; the caller classifies.
 */
import { Agent, request } from 'undici';
import type { TransportFailure } from './classify-reply';
import { toTransportFailure } from './transport-error';

export interface AttemptReply {
  httpStatus: number | null;
  body: unknown;
  retryAfter: string | null;
  transportError: TransportFailure | null;
}

export interface Transport {
  post(url: string, json: string, headers: Record<string, string>, signal?: AbortSignal): Promise<AttemptReply>;
  close(): Promise<void>;
}

export interface TransportOptions {
  timeoutMs: number;
  /** Connections per origin (= the in-flight cap). */
  connections: number;
  userAgent: string;
}

/** Largest reply body we read; bigger bodies are cut and classified as bad replies. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export function createTransport(opts: TransportOptions): Transport {
  const agent = new Agent({
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });

  return {
    async post(url, json, headers, signal) {
      try {
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': opts.userAgent, ...headers },
          body: json,
          signal,
        });
        const text = await readText(res.body);
        const ra = res.headers['retry-after'];
        return { httpStatus: res.statusCode, body: parseBody(text), retryAfter: Array.isArray(ra) ? ra[0] ?? null : ra ?? null, transportError: null };
      } catch (err) {
        return { httpStatus: null, body: null, retryAfter: null, transportError: toTransportFailure(err, opts.timeoutMs, Boolean(signal?.aborted)) };
      }
    },
    close: () => agent.close(),
  };
}

async function readText(body: AsyncIterable<Buffer | string> & { text(): Promise<string> }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_REPLY_BYTES) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
