/**
 * The SMS verification-status webhook (a simulator-only event, updox-api.md A20: the vendor has
 * announced it "coming soon" and published no shape). Order of checks, each refusing with a 4xx and
 * a JSON reason before anything is written:
 *   secret configured (503) → authentication (401) → UTF-8, JSON, control characters (400) → schema (422)
 *   (webhook-parse.ts).
 * Then ONE transaction: the receipt (keyed by the event id: a replay answers 200 `duplicate` and
 * writes nothing else) and the same upsert path as the poll. The answer goes out after the commit.
 * An event for an account we do not manage is acknowledged with 202 `ignored` (the sender cannot
 * fix it and must not retry); its receipt is kept so a replay is still recognised.
 */
import type { AppDeps } from '../app';
import { calendarFor } from './business-days';
import { checkPolicy, moveCheckAfterWebhook } from './number-checks';
import { upsertNumbers } from './number-upsert';
import { verifyWebhookAuth, type WebhookAuthMode } from './webhook-auth';
import { parseWebhookBody } from './webhook-parse';

export { webhookPayloadSchema, type WebhookPayload } from './webhook-schema';

export interface WebhookReply {
  statusCode: number;
  body: Record<string, unknown> & { status: string };
}

export interface WebhookOptions {
  mode: WebhookAuthMode;
}

type Headers = Record<string, string | string[] | undefined>;

const refuse = (statusCode: number, code: string, reason: string, extra: Record<string, unknown> = {}): WebhookReply =>
  ({ statusCode, body: { status: 'rejected', code, reason, ...extra } });

export async function handleVerificationWebhook(deps: AppDeps, rawBody: Buffer, headers: Headers, opts: WebhookOptions): Promise<WebhookReply> {
  const { http, numbers } = deps.config;
  if (!http.webhookSecret) return refuse(503, 'WEBHOOK_NOT_CONFIGURED', 'no webhook secret configured (WEBHOOK_SECRET)');
  const now = deps.clock.now();
  const auth = verifyWebhookAuth({ mode: opts.mode, secret: http.webhookSecret, toleranceSec: http.webhookToleranceSec }, headers, rawBody, now.getTime());
  if (!auth.ok) return refuse(401, auth.code, auth.reason);

  const parsed = parseWebhookBody(rawBody);
  if (!parsed.ok) return refuse(parsed.statusCode, parsed.code, parsed.reason, parsed.issues ? { issues: parsed.issues } : {});
  const evt = parsed.payload;
  const occurredAt = new Date(evt.occurredAt);
  // A sender clock ahead of ours must not date a status into our future (it would make every later poll look stale).
  const observedAt = occurredAt.getTime() > now.getTime() ? now : occurredAt;

  return deps.db.transaction(async (trx) => {
    const receipt = await trx('webhook_receipts').insert({ id: evt.id, received_at: now, payload: JSON.stringify(evt) })
      .onConflict('id').ignore().returning('id');
    if (!receipt.length) return { statusCode: 200, body: { status: 'duplicate', id: evt.id } };
    const known = await trx('practices').where({ account_id: evt.accountId }).first('account_id');
    if (!known) return { statusCode: 202, body: { status: 'ignored', id: evt.id, reason: `unknown account ${evt.accountId}` } };
    const res = await upsertNumbers(trx, evt.numbers.map((n) => ({
      accountId: evt.accountId, number: n.number, rawStatus: n.verificationStatus,
      numberType: n.type ?? null, ownerType: n.ownerType ?? null, ownerId: n.ownerId ?? null,
    })), {
      source: 'webhook', observedAt, now, pendingBusinessDays: numbers.pendingBusinessDays, calendar: calendarFor(deps.config),
    });
    // The account's next poll follows what it now holds (all verified: the weekly refresh; else soon).
    await moveCheckAfterWebhook(trx, evt.accountId, checkPolicy(numbers), now);
    return {
      statusCode: 200,
      body: { status: 'accepted', id: evt.id, inserted: res.inserted, changed: res.changed, unchanged: res.unchanged, stale: res.stale, events: res.events },
    };
  });
}
