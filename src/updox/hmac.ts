/**
 * The optional HMAC-SHA1 layer (updox-api.md §1.3). Two headers on top of the body `auth` block:
 *   updox-timestamp: yyyy-MM-dd HH:mm:ss (GMT)
 *   Authorization:   HMAC base64(hmacSha1(secret, "appId:appPassword:accountId:userId:timestamp"))
 * Only the auth values and the timestamp are signed, not the body. `now` is passed in.
 */
import { createHmac } from 'node:crypto';
import type { WireAuth } from './wire';

const pad = (n: number) => String(n).padStart(2, '0');

export function updoxTimestamp(now: Date): string {
  return `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())} `
    + `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} (GMT)`;
}

export function hmacMessage(auth: WireAuth, timestamp: string): string {
  return `${auth.applicationId}:${auth.applicationPassword}:${auth.accountId}:${auth.userId}:${timestamp}`;
}

export function hmacHeaders(auth: WireAuth, secret: string, now: Date): { 'updox-timestamp': string; authorization: string } {
  const timestamp = updoxTimestamp(now);
  const digest = createHmac('sha1', secret).update(hmacMessage(auth, timestamp), 'utf8').digest('base64');
  return { 'updox-timestamp': timestamp, authorization: `HMAC ${digest}` };
}
