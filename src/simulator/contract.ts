/**
 * One contract request, after transport (path, body, rate limit, faults): auth first (A4: before
 * validation), then the method. Returns the reply; the server writes it.
 */
import { checkAuth, readAuthBlock, type AuthBlock } from './auth';
import { fail, MESSAGES, ok, type Reply } from './envelope';
import type { SaveMode } from './practices';
import type { MethodSpec } from './router';
import { validatePractice } from './validate';
import type { SimWorld } from './world';

export interface HmacHeaders {
  timestamp: string | undefined;
  authorization: string | undefined;
}

const SAVE_MODE: Record<string, SaveMode> = { PracticeCreate: 'create', PracticeUpdate: 'update', PracticeSave: 'save' };

/** WebHookEventList ([S18] catalogue, plus the simulator-only SMS event, A20). */
const WEBHOOK_EVENTS = [
  { id: 'inbound_direct', description: 'Inbound Direct message' },
  { id: 'inbound_mdn', description: 'Inbound MDN' },
  { id: 'inbound_fax', description: 'Inbound fax' },
  { id: 'outbound_fax', description: 'Outbound fax status' },
  { id: 'account_status', description: 'Account registered, reopened or closed' },
  { id: 'module_status', description: 'Module bought or cancelled' },
  { id: 'sms_verification_status', description: 'SIMULATOR ONLY: SMS number verification status changed' },
];

export function handleContract(w: SimWorld, method: MethodSpec, version: string | null, body: Record<string, unknown>, hmac: HmacHeaders): Reply {
  const auth = readAuthBlock(body);
  const res = checkAuth(method.level, auth, {
    applicationId: w.applicationId,
    applicationPassword: w.applicationPassword,
    accountActive: w.accountActive,
    userActive: w.userActive,
    ...(w.hmacSecret ? { hmac: { secret: w.hmacSecret, windowMs: w.hmacWindowMs, nowMs: Date.now(), ...hmac } } : {}),
  });
  if (!res.ok) return { envelope: fail(res.code, `${MESSAGES[res.code]}: ${res.reason}`) };
  return dispatch(w, method, version, body, res.auth);
}

function dispatch(w: SimWorld, method: MethodSpec, version: string | null, body: Record<string, unknown>, auth: AuthBlock): Reply {
  switch (method.name) {
    case 'Ping':
    case 'PingWithApplicationAuth':
    case 'PingWithAccountAuth':
    case 'PingWithAuth':
      return { envelope: ok() };
    case 'PracticeCreate':
    case 'PracticeUpdate':
    case 'PracticeSave':
      return practiceWrite(w, SAVE_MODE[method.name]!, version === '1.1' ? '1.1' : 'legacy', body, auth);
    case 'PracticeGet': {
      // The real client sends the id as given, a number included ([S23] practice_test.rb).
      const given = typeof body.accountId === 'string' || typeof body.accountId === 'number' ? String(body.accountId).trim() : '';
      const id = given || auth.accountId;
      if (!id) return { envelope: fail(4110) };
      const json = w.practices.wireJson(id);
      if (json === undefined) return { envelope: fail(4131, `Account does not exist: ${id}`) }; // A18
      return { envelope: ok(), raw: `{"successful":true,"responseMessage":"OK","responseCode":2000,"practice":${json}}` };
    }
    case 'PracticeList':
      return { envelope: ok(), chunks: w.practices.listChunks() };
    case 'SmsSendNumberList':
      return w.sms.numberList(auth.accountId);
    case 'SmsSend':
      return w.sms.send(auth.accountId, body);
    case 'PatientDirectMessageSend':
      return directMessage(w, body);
    case 'WebHookEventList':
      return { envelope: ok({ events: WEBHOOK_EVENTS }) };
    default:
      return { envelope: fail(4000, `unknown method ${method.name}`), status: 404 };
  }
}

function practiceWrite(w: SimWorld, mode: SaveMode, version: '1.1' | 'legacy', body: Record<string, unknown>, auth: AuthBlock): Reply {
  const v = validatePractice(body, auth.accountId, version);
  if (!v.ok) return { envelope: fail(v.code, v.code === 4110 ? undefined : v.message) };
  const r = w.practices.save(mode, v.accountId, v.input, version);
  if (!r.ok) return { envelope: fail(r.code, r.message) };
  w.sms.onPracticeSaved(r.previous, r.practice);
  return { envelope: ok({ accountId: r.practice.accountId, action: r.action }), wroteAccount: r.practice.accountId };
}

/** A19: minimal PatientDirectMessageSend. */
function directMessage(w: SimWorld, body: Record<string, unknown>): Reply {
  const to = typeof body.to === 'string' ? body.to.trim() : '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) return { envelope: fail(4640, `Invalid direct address: ${to || '(empty)'}`) };
  const from = typeof body.from === 'string' ? body.from.trim() : '';
  const demo = body.patientDemographics;
  if (!/^patient:\S+$/.test(from) && !(demo && typeof demo === 'object')) return { envelope: fail(4652) };
  const n = ++w.directMessageSeq;
  return {
    envelope: ok({
      recipient: `contact:${50_000 + n}`, name: to, directAddress: to, reason: null,
      messageId: 880_000 + n, patientDirectAddress: `ptacct+${50_000 + n}@${w.directDomain}`,
    }),
  };
}
