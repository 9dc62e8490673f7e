/**
 * The simulator's HTTP layer (node:http, keep-alive): routing, body limits, the rate limit, fault
 * injection and counting; the contract itself is in contract.ts. Transport outcomes (A1, A2, A13,
 * A14): unknown method or version → HTTP 404 + envelope 4000; non-POST → 405; malformed JSON →
 * HTTP 400 + envelope 4000; body over maxBodyBytes → HTTP 200 + envelope 4020; rate limited →
 * HTTP 429 + Retry-After + envelope 5000. No per-request logging.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleAdmin } from './admin';
import { handleContract } from './contract';
import { fail, type Envelope, type Reply } from './envelope';
import { route } from './router';
import type { SimWorld } from './world';

const STATUS_TEXT: Record<number, string> = { 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

type Body = { tooLarge: true } | { tooLarge: false; text: string };

function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true; // keep draining so the reply can be read (A14)
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? { tooLarge } : { tooLarge, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** A body sent piece by piece (chunked), waiting for the socket to drain; stops if the client leaves. */
async function sendChunks(res: ServerResponse, status: number, chunks: Iterable<string>): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}

const envelopeJson = (e: Envelope) => JSON.stringify(e);
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const sleep = (ms: number, timers: Set<NodeJS.Timeout>) => new Promise<void>((resolve) => {
  const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
  timers.add(t);
});

export interface SimServer {
  server: Server;
  timers: Set<NodeJS.Timeout>;
}

export function createSimServer(w: SimWorld): SimServer {
  const timers = new Set<NodeJS.Timeout>();

  async function onContract(req: IncomingMessage, res: ServerResponse, r: ReturnType<typeof route>): Promise<void> {
    const name = r.kind === 'unknown-method' ? r.name : r.kind === 'contract' || r.kind === 'unknown-version' ? r.method.name : '?';
    const c = w.counters;
    c.arrive(performance.now());
    let departed = false;
    res.on('close', () => { if (!departed) { departed = true; c.depart(); } });
    const answer = (status: number, e: Envelope, counted: string | number = e.responseCode, headers: Record<string, string> = {}) => {
      c.count(name, counted);
      sendJson(res, status, envelopeJson(e), headers);
    };
    if (r.kind === 'unknown-method') return answer(404, fail(4000, `Bad Request: unknown method ${r.name}`), 'http404');
    if (r.kind === 'unknown-version') return answer(404, fail(4000, `Bad Request: unknown version ${r.version} of ${r.method.name}`), 'http404');
    if (r.kind !== 'contract') return;
    if (req.method !== 'POST') return answer(405, fail(4000, 'Bad Request: use POST'), 'http405', { allow: 'POST' });
    const raw = await readBody(req, w.maxBodyBytes);
    if (raw.tooLarge) return answer(200, fail(4020));
    let body: unknown;
    try {
      body = raw.text.trim() === '' ? {} : JSON.parse(raw.text);
    } catch {
      return answer(400, fail(4000, 'Bad Request: malformed JSON'), 'http400');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return answer(400, fail(4000, 'Bad Request: the body must be a JSON object'), 'http400');
    const b = body as Record<string, unknown>;
    const auth = b.auth && typeof b.auth === 'object' ? (b.auth as Record<string, unknown>) : {};
    const admission = w.rateLimiter.admit(typeof auth.applicationId === 'string' ? auth.applicationId : '', performance.now());
    if (!admission.ok) {
      c.rateLimitViolations++;
      return answer(429, fail(5000, 'Too Many Requests'), 'http429', { 'retry-after': String(admission.retryAfterSec) });
    }
    const choice = w.faults.pick(r.method.name);
    if (choice.latencyMs > 0) await sleep(choice.latencyMs, timers);
    const f = choice.fault;
    if (f) {
      switch (f.kind) {
        case 'envelope': return answer(200, fail(f.code, f.message));
        case 'http': {
          c.count(name, `http${f.status}`);
          if (f.status === 429) {
            // A13: 429 carries Retry-After and envelope 5000.
            return sendJson(res, 429, envelopeJson(fail(5000, 'Too Many Requests')), { 'retry-after': String(f.retryAfterSec ?? 1) });
          }
          if (res.destroyed) return;
          const text = `${f.status} ${STATUS_TEXT[f.status] ?? 'Error'}`; // A2: non-JSON body
          res.writeHead(f.status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text), ...(f.retryAfterSec !== undefined ? { 'retry-after': String(f.retryAfterSec) } : {}) });
          return void res.end(text);
        }
        case 'hang': {
          c.count(name, 'hang');
          if (f.ms !== undefined) sleep(f.ms, timers).then(() => req.socket.destroy(), () => undefined);
          return; // never answers; the socket closes when the client gives up or the server stops
        }
        case 'reset':
          c.count(name, 'reset');
          return void resetSocket(req.socket);
        case 'lost':
          break; // applied below, then the connection drops
      }
    }
    let reply: Reply;
    try {
      reply = handleContract(w, r.method, r.version, b, { timestamp: header(req, 'updox-timestamp'), authorization: header(req, 'authorization') });
    } catch (err) {
      process.stderr.write(`simulator: ${r.method.name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      return answer(500, fail(5100));
    }
    if (reply.wroteAccount !== undefined) c.wrote(reply.wroteAccount);
    if (f?.kind === 'lost') {
      c.count(name, 'lost');
      return void req.socket.destroy();
    }
    c.count(name, reply.envelope.responseCode);
    if (reply.chunks) return sendChunks(res, reply.status ?? 200, reply.chunks);
    sendJson(res, reply.status ?? 200, reply.raw ?? envelopeJson(reply.envelope));
  }

  const server = createServer({ keepAlive: true }, (req, res) => {
    const r = route(req.url ?? '/');
    if (r.kind === 'admin') return void onAdmin(req, res, r.path);
    if (r.kind === 'not-found') return sendJson(res, 404, JSON.stringify({ error: `not found: ${req.url}` }));
    onContract(req, res, r).catch((err) => {
      process.stderr.write(`simulator: request failed: ${err instanceof Error ? err.message : String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, envelopeJson(fail(5000)));
    });
  });
  server.keepAliveTimeout = 30_000;

  async function onAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const raw = await readBody(req, 512 * 1024 * 1024);
      let body: unknown = {};
      if (!raw.tooLarge && raw.text.trim()) {
        try { body = JSON.parse(raw.text); } catch { return sendJson(res, 400, JSON.stringify({ error: 'malformed JSON' })); }
      }
      const out = handleAdmin(w, req.method ?? 'GET', path, body);
      sendJson(res, out.status, JSON.stringify(out.body));
    } catch (err) {
      sendJson(res, 500, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
  }

  return { server, timers };
}

/** Destroy with a TCP RST when the runtime can (Node ≥ 18.3), so the client sees ECONNRESET. */
function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else socket.destroy();
}
