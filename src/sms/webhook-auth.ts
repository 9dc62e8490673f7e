/**
 * Authentication of the SMS verification webhook (simulator-only event; updox-api.md A20 says the
 * vendor's webhooks are unsigned, so we require our own). Two modes, chosen by config:
 *   - `hmac`:   `x-updox-timestamp: <unix seconds>` and
 *               `x-updox-signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`;
 *               the timestamp must be within ±toleranceSec of now (stale or future → refused).
 *   - `bearer`: `authorization: Bearer <secret>` (shared secret; replay protection is the event id).
 * Comparisons are constant-time. Pure apart from node:crypto; `nowMs` is passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookAuthMode = 'hmac' | 'bearer';

export interface WebhookAuthConfig {
  mode: WebhookAuthMode;
  secret: string;
  toleranceSec: number;
}

export type WebhookAuthResult =
  | { ok: true }
  | { ok: false; code: 'WEBHOOK_SIGNATURE_MISSING' | 'WEBHOOK_SIGNATURE_INVALID' | 'WEBHOOK_STALE'; reason: string };

type Headers = Record<string, string | string[] | undefined>;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The signature header value for a body: `v1=<hex>`. Used by senders (the simulator) and tests. */
export function signWebhook(secret: string, timestampSec: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.`).update(rawBody).digest('hex');
  return `v1=${mac}`;
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function verifyWebhookAuth(cfg: WebhookAuthConfig, headers: Headers, rawBody: Buffer, nowMs: number): WebhookAuthResult {
  if (cfg.mode === 'bearer') {
    const auth = header(headers, 'authorization');
    if (!auth) return { ok: false, code: 'WEBHOOK_SIGNATURE_MISSING', reason: 'missing Authorization: Bearer header' };
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (!m || !safeEqual(m[1]!, cfg.secret)) return { ok: false, code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'bearer token does not match' };
    return { ok: true };
  }
  const ts = header(headers, 'x-updox-timestamp');
  const sig = header(headers, 'x-updox-signature');
  if (!ts || !sig) return { ok: false, code: 'WEBHOOK_SIGNATURE_MISSING', reason: 'missing x-updox-timestamp or x-updox-signature header' };
  if (!/^\d{1,12}$/.test(ts.trim())) return { ok: false, code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'x-updox-timestamp must be unix seconds' };
  const tsSec = Number(ts.trim());
  // Check the signature first: an attacker learns nothing about the window from a forged request.
  const candidates = sig.split(',').map((s) => s.trim()).filter((s) => s.startsWith('v1='));
  const expected = signWebhook(cfg.secret, tsSec, rawBody);
  if (!candidates.some((c) => safeEqual(c, expected))) return { ok: false, code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'signature does not match the body' };
  const skewSec = Math.abs(nowMs / 1000 - tsSec);
  if (skewSec > cfg.toleranceSec) {
    return { ok: false, code: 'WEBHOOK_STALE', reason: `timestamp is ${Math.round(skewSec)} s away from now (tolerance ${cfg.toleranceSec} s)` };
  }
  return { ok: true };
}
