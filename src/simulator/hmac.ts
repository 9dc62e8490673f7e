/**
 * The optional Updox HMAC-SHA1 layer (updox-api.md §1.3), re-implemented for the simulator:
 *   updox-timestamp: `yyyy-MM-dd HH:mm:ss (GMT)`
 *   Authorization:   `HMAC <base64 HMAC-SHA1(secret, "appId:appPwd:accountId:userId:timestamp")>`
 * An early wiki revision wrote `HMAC:<hash>` [S7]; both spellings are accepted. Pure apart from
 * node:crypto; the current time is passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2013-11-20 17:36:00 (GMT)` for a time (formatted in GMT, like the vendor's Java sample). */
export function formatUpdoxTimestamp(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} `
    + `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} (GMT)`;
}

/** Epoch ms of an `updox-timestamp` value, or null when it is not in the documented format (GMT/UTC only). */
export function parseUpdoxTimestamp(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) \((?:GMT|UTC)\)$/.exec(value.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? null : ms;
}

export interface HmacParts {
  applicationId: string;
  applicationPassword: string;
  accountId: string;
  userId: string;
  timestamp: string;
}

/** Base64 HMAC-SHA1 of the five colon-joined values (an empty value keeps its place). */
export function signUpdoxHmac(secret: string, p: HmacParts): string {
  const message = `${p.applicationId}:${p.applicationPassword}:${p.accountId}:${p.userId}:${p.timestamp}`;
  return createHmac('sha1', secret).update(message).digest('base64');
}

export type HmacCheck = { ok: true } | { ok: false; code: 4013 | 4014; reason: string };

/**
 * Checks the two headers against the auth values. A4: missing header → 4013; unparseable
 * timestamp, a timestamp outside ±windowMs of nowMs, or a wrong hash → 4014.
 */
export function verifyUpdoxHmac(
  secret: string,
  auth: Omit<HmacParts, 'timestamp'>,
  headers: { timestamp: string | undefined; authorization: string | undefined },
  nowMs: number,
  windowMs: number,
): HmacCheck {
  if (!headers.timestamp || !headers.authorization) return { ok: false, code: 4013, reason: 'missing updox-timestamp or Authorization header' };
  const at = parseUpdoxTimestamp(headers.timestamp);
  if (at === null) return { ok: false, code: 4014, reason: 'updox-timestamp is not "yyyy-MM-dd HH:mm:ss (GMT)"' };
  const m = /^HMAC(?::\s*|\s+)(\S+)$/.exec(headers.authorization.trim());
  if (!m) return { ok: false, code: 4014, reason: 'Authorization is not "HMAC <hash>"' };
  const expected = Buffer.from(signUpdoxHmac(secret, { ...auth, timestamp: headers.timestamp.trim() }));
  const given = Buffer.from(m[1]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, code: 4014, reason: 'HMAC does not match' };
  if (Math.abs(nowMs - at) > windowMs) return { ok: false, code: 4014, reason: 'updox-timestamp outside the allowed window' };
  return { ok: true };
}
