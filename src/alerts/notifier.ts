/**
 * Alerts, exactly once per event and channel under retries and concurrent workers: every worker
 * looks for events (events.ts) on a timer and records them with INSERT … ON CONFLICT DO NOTHING on
 * (event_key, channel), so only one row exists whoever saw it first; rows are then claimed with
 * FOR UPDATE SKIP LOCKED (a claim expires, so a dead worker's alert goes out later), sent, and
 * marked sent. A failed send is tried again with backoff, up to MAX_ATTEMPTS. Channels: a webhook
 * (ALERT_WEBHOOK_URL; a Slack-compatible `{ "text": … }` body) and email to the config's admins
 * (over SMTP_URL; `alerts.email: false` turns it off).
 */
import nodemailer from 'nodemailer';
import type { AppDeps } from '../app';
import { SECOND, MINUTE } from '../time';
import { findAlertEvents, type AlertEvent } from './events';

export const MAX_ATTEMPTS = 8;
const CLAIM_MS = MINUTE;
const SEND_TIMEOUT_MS = 10 * SECOND;

type Deps = Pick<AppDeps, 'db' | 'config' | 'log'>;
export type Channel = 'webhook' | 'email';

export function channelsOf(config: Deps['config']): Channel[] {
  const out: Channel[] = [];
  if (config.alertWebhookUrl) out.push('webhook');
  if (config.alerts.email && config.smtp.url && config.admins.length) out.push('email');
  return out;
}

/** Records the events not recorded yet, once per channel; returns how many rows were new. */
export async function recordAlerts(deps: Deps, events: readonly AlertEvent[], channels: readonly Channel[]): Promise<number> {
  if (!events.length || !channels.length) return 0;
  const rows = events.flatMap((e) => channels.map((channel) => ({ event_key: e.key, channel, kind: e.kind, text: e.text })));
  const inserted = await deps.db('alerts').insert(rows).onConflict(['event_key', 'channel']).ignore().returning('id');
  return inserted.length;
}

interface AlertRow { id: string; channel: Channel; text: string; attempts: number; event_key: string }

async function claim(deps: Deps, limit: number): Promise<AlertRow[]> {
  const { rows } = await deps.db.raw(
    `UPDATE alerts SET status = 'sending', claimed_until = now() + make_interval(secs => ?), attempts = attempts + 1
      WHERE id IN (SELECT id FROM alerts
        WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND claimed_until < now())
        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING id, channel, text, attempts, event_key`, [CLAIM_MS / 1000, limit]);
  return rows as AlertRow[];
}

async function send(deps: Deps, row: AlertRow): Promise<void> {
  if (row.channel === 'webhook') {
    const res = await fetch(deps.config.alertWebhookUrl!, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: row.text }), signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
    return;
  }
  const transport = nodemailer.createTransport(deps.config.smtp.url!, { connectionTimeout: SEND_TIMEOUT_MS, socketTimeout: SEND_TIMEOUT_MS });
  try {
    await transport.sendMail({ from: deps.config.smtp.from, to: deps.config.admins.join(', '), subject: row.text.slice(0, 120), text: row.text, messageId: `<alert.${row.id}@updox-sync>` });
  } finally {
    transport.close();
  }
}

/** One round: find, record, send what is due. Returns what it sent and what failed. */
export async function runAlertsOnce(deps: Deps): Promise<{ recorded: number; sent: number; failed: number }> {
  const channels = channelsOf(deps.config);
  if (!channels.length) return { recorded: 0, sent: 0, failed: 0 };
  const recorded = await recordAlerts(deps, await findAlertEvents(deps.db, deps.config.partner.name), channels);
  let sent = 0;
  let failed = 0;
  for (const row of await claim(deps, 20)) {
    try {
      await send(deps, row);
      await deps.db('alerts').where({ id: row.id }).update({ status: 'sent', sent_at: deps.db.fn.now(), claimed_until: null, last_error: null });
      sent++;
    } catch (err) {
      failed++;
      const last = row.attempts >= MAX_ATTEMPTS;
      const message = ((err as Error).message ?? String(err)).slice(0, 500);
      deps.log.warn({ alert: row.event_key, channel: row.channel, attempt: row.attempts, err: message }, last ? 'alert not delivered, giving up' : 'alert not delivered, will retry');
      await deps.db('alerts').where({ id: row.id }).update({
        status: last ? 'failed' : 'pending', claimed_until: null, last_error: message,
        next_attempt_at: deps.db.raw('now() + make_interval(secs => ?)', [Math.min(2 ** row.attempts, 600)]),
      });
    }
  }
  return { recorded, sent, failed };
}

/** Runs a round every `intervalMs` until stopped (a worker's lifetime). */
export function startAlerts(deps: Deps, intervalMs = 15 * SECOND): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    running ??= runAlertsOnce(deps).catch((err: Error) => deps.log.warn({ err: err.message }, 'alerts round failed')).finally(() => { running = null; });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return { async stop() { clearInterval(timer); await running; } };
}
