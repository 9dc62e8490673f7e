/**
 * The admin API under `/_sim/` (never on contract paths): seed and read state, reset, the clock,
 * number status overrides, faults, the rate limit, runtime settings and counters. JSON in, JSON
 * out; a bad request answers 400 `{ error }` naming every problem.
 */
import { resolvePartner } from './business-details';
import { faultProblems } from './faults';
import { numberToWire, type NumberSeed } from './numbers';
import { toWire } from './practices';
import { checkBusinessDetails } from './business-details';
import { formatVendorTime } from './clock';
import { READ_SHAPES, VERIFICATION_STATUSES, type Fault, type ReadShape, type SimNumber, type VerificationStatus, type WebhookTarget } from './types';
import type { SimWorld } from './world';

export interface AdminReply { status: number; body: unknown }

const HOUR_MS = 3_600_000;
const bad = (error: string): AdminReply => ({ status: 400, body: { error } });
const okJson = (body: unknown): AdminReply => ({ status: 200, body });
const isObj = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export function handleAdmin(w: SimWorld, httpMethod: string, path: string, body: unknown): AdminReply {
  const key = `${httpMethod} ${path.replace(/\/+$/, '')}`;
  switch (key) {
    case 'POST /_sim/seed': return seed(w, body);
    case 'GET /_sim/state/practices': return okJson({ practices: w.practices.sorted().map((p) => ({ ...toWire(p), apiVersion: p.apiVersion })) });
    case 'GET /_sim/state/numbers': return okJson({ numbers: w.numbers.all().map((n) => numberState(w, n)) });
    case 'GET /_sim/state/webhooks': return okJson({ deliveries: w.webhooks.deliveries });
    case 'POST /_sim/reset': w.reset(); return okJson({ ok: true });
    case 'GET /_sim/clock': return okJson({ now: new Date(w.clock.nowMs()).toISOString() });
    case 'POST /_sim/clock/advance': return advance(w, body);
    case 'GET /_sim/faults': return okJson({ faults: w.faults.size });
    case 'POST /_sim/faults': {
      const faults = isObj(body) ? body.faults : undefined;
      const problems = faultProblems(faults);
      if (problems.length) return bad(problems.join('; '));
      w.faults.replace(faults as Fault[]);
      return okJson({ faults: (faults as Fault[]).length });
    }
    case 'DELETE /_sim/faults': w.faults.clear(); return okJson({ faults: 0 });
    case 'GET /_sim/rate-limit': return okJson(w.rateLimiter.settings);
    case 'POST /_sim/rate-limit': {
      if (!isObj(body) || typeof body.requestsPerSecond !== 'number' || body.requestsPerSecond < 0) return bad('requestsPerSecond: a number ≥ 0 is required (0 = off)');
      if (body.burst !== undefined && !(typeof body.burst === 'number' && body.burst >= 1)) return bad('burst: must be a number ≥ 1');
      w.rateLimiter.configure({ requestsPerSecond: body.requestsPerSecond, ...(typeof body.burst === 'number' ? { burst: body.burst } : {}) });
      return okJson(w.rateLimiter.settings);
    }
    case 'GET /_sim/counters': return okJson(w.counters.snapshot());
    case 'POST /_sim/counters/reset': w.counters.reset(); return okJson({ ok: true });
    case 'GET /_sim/config': return okJson(settingsView(w));
    case 'POST /_sim/config': return configure(w, body);
    default: {
      const m = /^POST \/_sim\/numbers\/([^/]+)\/([^/]+)\/status$/.exec(key);
      if (m) return setStatus(w, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), body);
      return { status: 404, body: { error: `no admin endpoint ${key}` } };
    }
  }
}

function numberState(w: SimWorld, n: SimNumber): Record<string, unknown> {
  const p = w.practices.get(n.accountId);
  const details = p && checkBusinessDetails(p, w.settings.partner).complete ? 'COMPLETE' : 'INCOMPLETE';
  return { accountId: n.accountId, ...numberToWire(n, details), verificationDueAt: n.dueAtMs === null ? null : new Date(n.dueAtMs).toISOString() };
}

function seed(w: SimWorld, body: unknown): AdminReply {
  if (!isObj(body)) return bad('body: must be an object { practices?, numbers?, users? }');
  const practices = body.practices ?? [];
  const numbers = body.numbers ?? [];
  const users = body.users ?? [];
  if (!Array.isArray(practices) || !Array.isArray(numbers) || !Array.isArray(users)) return bad('practices, numbers and users must be arrays');
  const problems: string[] = [];
  practices.forEach((p, i) => { if (!isObj(p) || !p.accountId) problems.push(`practices[${i}].accountId: required`); });
  numbers.forEach((n, i) => {
    if (!isObj(n) || typeof n.accountId !== 'string' || !n.accountId) problems.push(`numbers[${i}].accountId: required`);
    else if (typeof n.number !== 'string' || !/^\d{10}$/.test(n.number)) problems.push(`numbers[${i}].number: must be 10 digits`);
    else if (n.verificationStatus !== undefined && !VERIFICATION_STATUSES.includes(n.verificationStatus as VerificationStatus)) {
      problems.push(`numbers[${i}].verificationStatus: must be one of ${VERIFICATION_STATUSES.join(', ')}`);
    }
  });
  users.forEach((u, i) => { if (!isObj(u) || !u.accountId || !u.userId) problems.push(`users[${i}]: needs accountId and userId`); });
  if (problems.length) return bad(problems.join('; '));
  const now = w.clock.nowMs();
  for (const n of numbers as NumberSeed[]) {
    const status = (n.verificationStatus ?? 'NOT_STARTED') as VerificationStatus;
    w.numbers.add({
      accountId: n.accountId, number: n.number, type: n.type ?? 'TOLL_FREE', verificationStatus: status,
      ownerType: n.ownerType ?? 'account', ownerId: n.ownerId ?? n.accountId, updatedAtMs: now,
      dueAtMs: status === 'PENDING' ? w.sms.dueFrom(now) : null,
    });
  }
  // Practices after numbers: automatic provisioning gives a number only to an account left without one.
  for (const raw of practices as Record<string, unknown>[]) {
    const prev = w.practices.get(String(raw.accountId)) ?? null;
    const p = w.practices.seed(raw);
    if (w.settings.autoRequestVerification) w.sms.onPracticeSaved(prev, p);
  }
  for (const u of users as Record<string, unknown>[]) {
    const accountId = String(u.accountId);
    let m = w.users.get(accountId);
    if (!m) w.users.set(accountId, (m = new Map()));
    m.set(String(u.userId), u.active !== false && u.active !== 'false');
  }
  return okJson({ practices: practices.length, numbers: numbers.length, users: users.length });
}

function advance(w: SimWorld, body: unknown): AdminReply {
  if (!isObj(body)) return bad('body: must be { ms?, hours?, days? }');
  let ms = 0;
  for (const [k, unit] of [['ms', 1], ['hours', HOUR_MS], ['days', 24 * HOUR_MS]] as const) {
    const v = body[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return bad(`${k}: must be a number ≥ 0`);
    ms += v * unit;
  }
  w.clock.advance(ms);
  w.sms.settleAll();
  return okJson({ now: new Date(w.clock.nowMs()).toISOString(), advancedMs: ms });
}

function setStatus(w: SimWorld, accountId: string, number: string, body: unknown): AdminReply {
  const status = isObj(body) ? body.verificationStatus : undefined;
  if (!VERIFICATION_STATUSES.includes(status as VerificationStatus)) return bad(`verificationStatus: must be one of ${VERIFICATION_STATUSES.join(', ')}`);
  const n = w.numbers.find(accountId, number);
  if (!n) return { status: 404, body: { error: `no number ${number} for account ${accountId}` } };
  const changed = w.sms.override(n, status as VerificationStatus);
  return okJson({ changed, number: numberState(w, n) });
}

function settingsView(w: SimWorld): Record<string, unknown> {
  const s = w.settings;
  const hook = w.webhooks.target;
  return {
    smsEnabled: s.smsEnabled, verificationBusinessDays: s.verificationBusinessDays, rejectionRate: s.rejectionRate,
    fallbackRejectionRate: s.fallbackRejectionRate, autoRequestVerification: s.autoRequestVerification,
    partnerBusinessDetails: s.partner, webhook: hook ? { url: hook.url, mode: hook.mode } : null,
    clock: formatVendorTime(w.clock.nowMs()), readShape: w.practices.shape,
  };
}

function configure(w: SimWorld, body: unknown): AdminReply {
  if (!isObj(body)) return bad('body: must be an object');
  const s = w.settings;
  const problems: string[] = [];
  const share = (k: string) => body[k] === undefined || (typeof body[k] === 'number' && (body[k] as number) >= 0 && (body[k] as number) <= 1) || problems.push(`${k}: must be between 0 and 1`);
  share('rejectionRate');
  share('fallbackRejectionRate');
  if (body.smsEnabled !== undefined && typeof body.smsEnabled !== 'boolean') problems.push('smsEnabled: must be a boolean');
  if (body.autoRequestVerification !== undefined && typeof body.autoRequestVerification !== 'boolean') problems.push('autoRequestVerification: must be a boolean');
  if (body.verificationBusinessDays !== undefined && !(Number.isInteger(body.verificationBusinessDays) && (body.verificationBusinessDays as number) >= 0)) {
    problems.push('verificationBusinessDays: must be a whole number ≥ 0');
  }
  if (body.readShape !== undefined && !READ_SHAPES.includes(body.readShape as ReadShape)) problems.push(`readShape: must be one of ${READ_SHAPES.join(', ')}`);
  const hook = body.webhook;
  if (hook !== undefined && hook !== null && !(isObj(hook) && typeof hook.url === 'string' && typeof hook.secret === 'string' && (hook.mode === 'hmac' || hook.mode === 'bearer'))) {
    problems.push('webhook: null, or { url, secret, mode: "hmac" | "bearer", duplicateRate?, delayMs? }');
  }
  if (problems.length) return bad(problems.join('; '));
  if (typeof body.smsEnabled === 'boolean') s.smsEnabled = body.smsEnabled;
  if (typeof body.autoRequestVerification === 'boolean') s.autoRequestVerification = body.autoRequestVerification;
  if (typeof body.verificationBusinessDays === 'number') s.verificationBusinessDays = body.verificationBusinessDays;
  if (typeof body.rejectionRate === 'number') s.rejectionRate = body.rejectionRate;
  if (typeof body.fallbackRejectionRate === 'number') s.fallbackRejectionRate = body.fallbackRejectionRate;
  if (body.partnerBusinessDetails !== undefined) s.partner = resolvePartner(body.partnerBusinessDetails as Parameters<typeof resolvePartner>[0]);
  if (READ_SHAPES.includes(body.readShape as ReadShape)) w.practices.shape = body.readShape as ReadShape;
  if (hook !== undefined) w.webhooks.target = hook === null ? null : (hook as unknown as WebhookTarget);
  return okJson(settingsView(w));
}
