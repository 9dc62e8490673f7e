/**
 * POSTs the SIMULATOR-ONLY `sms_verification_status` event (A20: the vendor publishes no SMS event)
 * to the subscribed URL whenever a number's status changes. The payload is the one
 * src/sms/webhook.ts accepts; the signature is re-implemented here (the simulator shares no code):
 *   hmac:   x-updox-timestamp: <unix seconds>, x-updox-signature: v1=<hex HMAC-SHA256(secret, ts + "." + body)>
 *   bearer: Authorization: Bearer <secret>
 * The timestamp comes from the SIMULATOR clock, so a receiver whose test clock advances with the
 * simulator's accepts it. Best effort (A20: at most once, no retries), never awaited by the API
 * reply. Test options: `duplicateRate` (deliver the same event twice) and `delayMs` (late).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SimClock } from './clock';
import type { Random } from './prng';
import type { SimNumber, WebhookTarget } from './types';

export interface WebhookDelivery {
  id: string;
  accountId: string;
  numbers: { number: string; verificationStatus: string }[];
  httpStatus: number | null;
  error: string | null;
  duplicate: boolean;
}

const KEEP = 500;

/** `v1=<hex>` over `${timestampSec}.${body}` (same rule as the receiver's verifier). */
export function signWebhookBody(secret: string, timestampSec: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSec}.`).update(body).digest('hex')}`;
}

export class WebhookSender {
  target: WebhookTarget | null;
  readonly deliveries: WebhookDelivery[] = [];
  #inFlight = new Set<Promise<void>>();
  #timers = new Set<NodeJS.Timeout>();
  #abort = new AbortController();
  #seq = 0;

  constructor(
    target: WebhookTarget | undefined,
    private readonly clock: SimClock,
    private readonly random: Random,
    private readonly onResult: (ok: boolean) => void,
  ) {
    this.target = target ?? null;
  }

  notify(accountId: string, changed: SimNumber[]): void {
    const target = this.target;
    if (!target || changed.length === 0) return;
    const payload = {
      id: `sim-${++this.#seq}-${randomUUID()}`,
      event: 'sms_verification_status',
      occurredAt: new Date(this.clock.nowMs()).toISOString(),
      accountId,
      numbers: changed.map((n) => ({ number: n.number, verificationStatus: n.verificationStatus, type: n.type, ownerType: n.ownerType, ownerId: n.ownerId })),
    };
    const body = JSON.stringify(payload);
    const copies = target.duplicateRate && this.random() < target.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.#schedule(target, payload.id, accountId, payload.numbers, body, i > 0);
  }

  /** Waits for deliveries under way (late ones are dropped). */
  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#inFlight]);
    this.#abort.abort();
  }

  #schedule(target: WebhookTarget, id: string, accountId: string, numbers: WebhookDelivery['numbers'], body: string, duplicate: boolean): void {
    const run = () => {
      const p = this.#post(target, id, accountId, numbers, body, duplicate).finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    };
    if (!target.delayMs) return run();
    const t = setTimeout(() => { this.#timers.delete(t); run(); }, target.delayMs);
    this.#timers.add(t);
  }

  async #post(target: WebhookTarget, id: string, accountId: string, numbers: WebhookDelivery['numbers'], body: string, duplicate: boolean): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.mode === 'bearer') headers.authorization = `Bearer ${target.secret}`;
    else {
      const ts = Math.floor(this.clock.nowMs() / 1000);
      headers['x-updox-timestamp'] = String(ts);
      headers['x-updox-signature'] = signWebhookBody(target.secret, ts, body);
    }
    const record: WebhookDelivery = { id, accountId, numbers: numbers.map((n) => ({ number: n.number, verificationStatus: n.verificationStatus })), httpStatus: null, error: null, duplicate };
    try {
      const res = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(10_000)]) });
      record.httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      this.onResult(res.ok);
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      this.onResult(false);
    }
    this.deliveries.push(record);
    if (this.deliveries.length > KEEP) this.deliveries.splice(0, this.deliveries.length - KEEP);
  }
}
