/**
 * One HTTP attempt over a pooled keep-alive undici Agent. Returns the status, the Retry-After header
 * and the body (parsed JSON, or the raw text when it is not JSON), or the transport failure. Never
 * throws for network faults; the caller classifies.
 */
import { JSONParser } from '@streamparser/json';
import { Agent, request } from 'undici';
import type { TransportFailure } from './classify-reply';
import { toTransportFailure } from './transport-error';

export interface AttemptReply {
  httpStatus: number | null;
  body: unknown;
  retryAfter: string | null;
  transportError: TransportFailure | null;
  /** The body passed its size limit: reading stopped there. */
  tooLarge?: { limitBytes: number; seenBytes: number; contentLength: number | null };
}

/** Where a streamed reply's array entries go, batch by batch, as they are parsed. */
export interface StreamTarget {
  /** Top-level key of the array to stream (e.g. `practiceList`). */
  arrayKey: string;
  /** Largest body read; past it the read stops and the reply is `tooLarge`. */
  maxBytes: number;
  /** The entries parsed from one chunk of the body; the next chunk is read once it resolves. */
  onEntries(batch: unknown[]): Promise<void>;
}

export interface Transport {
  post(url: string, json: string, headers: Record<string, string>, signal?: AbortSignal): Promise<AttemptReply>;
  /**
   * A POST whose HTTP 200 reply is parsed as it arrives (a well-kept streaming parser,
   * @streamparser/json): the entries of `target.arrayKey` go to `target.onEntries` and are not
   * kept; the reply's body is the envelope (every other top-level key) with an empty array in
   * their place. Any other status is read as `post` reads it. Memory stays bounded by one chunk.
   */
  postStream(url: string, json: string, headers: Record<string, string>, target: StreamTarget, signal?: AbortSignal): Promise<AttemptReply>;
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

  const send = (url: string, json: string, headers: Record<string, string>, signal?: AbortSignal) => request(url, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': opts.userAgent, ...headers },
    body: json,
    signal,
  });
  const failed = (err: unknown, signal?: AbortSignal): AttemptReply =>
    ({ httpStatus: null, body: null, retryAfter: null, transportError: toTransportFailure(err, opts.timeoutMs, Boolean(signal?.aborted)) });

  return {
    async post(url, json, headers, signal) {
      try {
        const res = await send(url, json, headers, signal);
        return await readWhole(res, MAX_REPLY_BYTES);
      } catch (err) {
        return failed(err, signal);
      }
    },
    async postStream(url, json, headers, target, signal) {
      try {
        const res = await send(url, json, headers, signal);
        if (res.statusCode !== 200) return await readWhole(res, MAX_REPLY_BYTES);
        return await readStreamed(res, target);
      } catch (err) {
        // The target's own failure (say, its database write) is not a transport failure: it is rethrown.
        if (err instanceof TargetFailure) throw err.cause;
        return failed(err, signal);
      }
    },
    close: () => agent.close(),
  };
}

type Res = Awaited<ReturnType<typeof request>>;
class TargetFailure {
  constructor(readonly cause: unknown) {}
}
const deliver = async (target: StreamTarget, batch: unknown[]) => {
  try {
    await target.onEntries(batch);
  } catch (err) {
    throw new TargetFailure(err);
  }
};
const retryAfterOf = (res: Res) => {
  const ra = res.headers['retry-after'];
  return Array.isArray(ra) ? ra[0] ?? null : ra ?? null;
};
const contentLengthOf = (res: Res) => {
  const n = Number(res.headers['content-length']);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

async function readWhole(res: Res, maxBytes: number): Promise<AttemptReply> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > maxBytes) {
      res.body.destroy();
      return { httpStatus: res.statusCode, body: null, retryAfter: retryAfterOf(res), transportError: null, tooLarge: { limitBytes: maxBytes, seenBytes: size, contentLength: contentLengthOf(res) } };
    }
    chunks.push(b);
  }
  return { httpStatus: res.statusCode, body: parseBody(Buffer.concat(chunks).toString('utf8')), retryAfter: retryAfterOf(res), transportError: null };
}

async function readStreamed(res: Res, target: StreamTarget): Promise<AttemptReply> {
  const envelope: Record<string, unknown> = {};
  let batch: unknown[] = [];
  let root = true;
  // Each entry is taken out of its array as soon as it is emitted (the parser keeps a selected
  // path's parent, here the array, to emit it too): the array stays empty and comes out last as
  // `[]`, which tells a list that was there from one that was not.
  const parser = new JSONParser({ paths: ['$.*', `$.${target.arrayKey}.*`], keepStack: false });
  parser.onValue = ({ value, key, parent, stack }) => {
    if (stack.length === 1 && typeof key === 'string') {
      envelope[key] = value;
    } else if (stack.length === 2) {
      batch.push(value);
      if (Array.isArray(parent)) parent.length = 0;
    }
  };
  parser.onError = () => { root = false; };
  let size = 0;
  const head = { httpStatus: res.statusCode, retryAfter: retryAfterOf(res), transportError: null };
  for await (const chunk of res.body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > target.maxBytes) {
      res.body.destroy();
      return { ...head, body: null, tooLarge: { limitBytes: target.maxBytes, seenBytes: size, contentLength: contentLengthOf(res) } };
    }
    try {
      parser.write(b);
    } catch {
      root = false;
    }
    if (!root) {
      res.body.destroy();
      return { ...head, body: 'a body that is not valid JSON' };
    }
    if (batch.length) {
      const out = batch;
      batch = [];
      await deliver(target, out);
    }
  }
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch {
      return { ...head, body: 'a body that is not valid JSON (cut short)' };
    }
  }
  if (batch.length) await deliver(target, batch);
  return { ...head, body: envelope };
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
