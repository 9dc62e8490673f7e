/**
 * The verification webhook's body, from bytes to a payload (pure). Each refusal is a 4xx with a
 * code and a reason naming where: bytes that are not UTF-8 or not JSON, a NUL or other control
 * character in any string or key (400: no database error, no stored control bytes), a payload
 * that does not fit the schema (422).
 */
import { webhookPayloadSchema, type WebhookPayload } from './webhook-schema';

export type ParsedWebhook =
  | { ok: true; payload: WebhookPayload }
  | { ok: false; statusCode: 400 | 422; code: string; reason: string; issues?: string[] };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Nesting deeper than this is no payload of ours; walking it would only cost stack. */
const MAX_DEPTH = 32;

/** The JSON path and character of the first control character in a parsed value, if any. */
export function findControlCharacter(value: unknown, path = '', depth = 0): { path: string; char: string } | 'too-deep' | null {
  if (depth > MAX_DEPTH) return 'too-deep';
  if (typeof value === 'string') {
    const at = value.search(CONTROL);
    return at < 0 ? null : { path: path || '(root)', char: `U+${value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = findControlCharacter(value[i], `${path}[${i}]`, depth + 1);
      if (f) return f;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const key = findControlCharacter(k, `${path ? path + '.' : ''}(key)`, depth + 1);
      if (key) return key;
      const f = findControlCharacter(v, path ? `${path}.${k}` : k, depth + 1);
      if (f) return f;
    }
  }
  return null;
}

export function parseWebhookBody(raw: Uint8Array): ParsedWebhook {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, statusCode: 400, code: 'WEBHOOK_BAD_ENCODING', reason: 'body is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, statusCode: 400, code: 'WEBHOOK_BAD_JSON', reason: `body is not valid JSON: ${(err as Error).message}` };
  }
  const control = findControlCharacter(json);
  if (control === 'too-deep') return { ok: false, statusCode: 400, code: 'WEBHOOK_BAD_JSON', reason: `body is nested deeper than ${MAX_DEPTH} levels` };
  if (control) return { ok: false, statusCode: 400, code: 'WEBHOOK_CONTROL_CHARACTER', reason: `${control.path}: holds the control character ${control.char}` };
  const parsed = webhookPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, statusCode: 422, code: 'WEBHOOK_BAD_PAYLOAD', reason: issues.join('; '), issues };
  }
  return { ok: true, payload: parsed.data };
}
