/**
 * The `auth` block check (updox-api.md §1.2, A4, A5). Order (A4): application credentials (4010) →
 * account (4011) → user (4012) → HMAC headers (4013 missing, 4014 bad or stale). A method needing
 * level N only looks at the fields up to N (A5: extra fields are ignored). An inactive account or
 * user is refused exactly like an unknown one (§1.2). PracticeUpdate/PracticeSave may act on an
 * inactive account, which needs no special case: they are vendor-level, so the account in `auth`
 * is never looked up. Pure: lookups and the time are passed in.
 */
import type { AuthLevel } from './router';
import { verifyUpdoxHmac } from './hmac';

export interface AuthBlock {
  applicationId: string;
  applicationPassword: string;
  accountId: string;
  userId: string;
}

export interface AuthContext {
  applicationId: string;
  applicationPassword: string;
  /** Is the account known and active? */
  accountActive(accountId: string): boolean;
  /** Is the user known and active in the account? */
  userActive(accountId: string, userId: string): boolean;
  hmac?: { secret: string; windowMs: number; nowMs: number; timestamp: string | undefined; authorization: string | undefined };
}

export type AuthResult = { ok: true; auth: AuthBlock } | { ok: false; code: 4010 | 4011 | 4012 | 4013 | 4014; reason: string };

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The four auth values from a request body (absent or non-string → ''). */
export function readAuthBlock(body: unknown): AuthBlock {
  const a = body && typeof body === 'object' ? (body as Record<string, unknown>).auth : undefined;
  const o = a && typeof a === 'object' ? (a as Record<string, unknown>) : {};
  return { applicationId: str(o.applicationId), applicationPassword: str(o.applicationPassword), accountId: str(o.accountId), userId: str(o.userId) };
}

const RANK: Record<AuthLevel, number> = { none: 0, application: 1, account: 2, user: 3 };

export function checkAuth(level: AuthLevel, auth: AuthBlock, ctx: AuthContext): AuthResult {
  if (level === 'none') return { ok: true, auth };
  const rank = RANK[level];
  if (auth.applicationId !== ctx.applicationId || auth.applicationPassword !== ctx.applicationPassword) {
    return { ok: false, code: 4010, reason: 'applicationId or applicationPassword is wrong' };
  }
  if (rank >= RANK.account && (!auth.accountId || !ctx.accountActive(auth.accountId))) {
    return { ok: false, code: 4011, reason: auth.accountId ? `account ${auth.accountId} does not exist or is inactive` : 'auth.accountId is required' };
  }
  if (rank >= RANK.user && (!auth.userId || !ctx.userActive(auth.accountId, auth.userId))) {
    return { ok: false, code: 4012, reason: auth.userId ? `user ${auth.userId} does not exist or is inactive` : 'auth.userId is required' };
  }
  if (ctx.hmac) {
    const h = ctx.hmac;
    const res = verifyUpdoxHmac(h.secret, auth, { timestamp: h.timestamp, authorization: h.authorization }, h.nowMs, h.windowMs);
    if (!res.ok) return res;
  }
  return { ok: true, auth };
}
