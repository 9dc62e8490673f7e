/**
 * Report transports. SMTP (nodemailer, from SMTP_URL: smtp:// or smtps://, credentials and TLS
 * options in the URL) or, with no SMTP configured, .eml files in a folder (nodemailer's
 * streamTransport renders the exact same MIME message as a stream, written to the file). Both expose one interface,
 * tested by one contract suite. The SMTP URL is never logged: errors pass through
 * `redactSecrets` before they are stored or shown.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { sleep } from '../time';

export interface Delivered { messageId: string; path: string | null; response: string | null }

export interface ReportTransport {
  readonly kind: 'smtp' | 'eml';
  /** Sends (or writes) one message; `fileName` names the .eml file (ignored by SMTP). */
  send(message: Mail.Options, fileName: string): Promise<Delivered>;
  close(): void;
}

export function createSmtpTransport(url: string): ReportTransport {
  const transport = nodemailer.createTransport({
    url, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000, disableFileAccess: true, disableUrlAccess: true,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transport.sendMail(message);
      return { messageId: info.messageId, path: null, response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}

/** Writes `<dir>/<fileName>` atomically (temp file + rename), so a reader never sees half a message. */
export function createEmlTransport(dir: string): ReportTransport {
  const transport = nodemailer.createTransport({ streamTransport: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });
  return {
    kind: 'eml',
    async send(message, fileName) {
      const file = path.resolve(dir, fileName);
      await mkdir(path.dirname(file), { recursive: true });
      const info = await transport.sendMail(message) as unknown as { messageId: string; message: Readable };
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await pipeline(info.message, createWriteStream(tmp));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await rename(tmp, file);
      return { messageId: info.messageId, path: file, response: null };
    },
    close: () => transport.close(),
  };
}

/** The SMTP transport when SMTP_URL is set and no folder was asked for, else the .eml writer. */
export function createReportTransport(smtpUrl: string | undefined, outDir: string, forceFiles = false): ReportTransport {
  return smtpUrl && !forceFiles ? createSmtpTransport(smtpUrl) : createEmlTransport(outDir);
}

/** Removes credentials from an error text: user:pass@ in URLs, and the SMTP password itself. */
export function redactSecrets(text: string, smtpUrl?: string): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1[redacted]@');
  if (smtpUrl) {
    try {
      const u = new URL(smtpUrl);
      for (const s of [u.password, decodeURIComponent(u.password)]) if (s && s.length >= 3) out = out.split(s).join('[redacted]');
    } catch {
      // not a URL: nothing more to strip
    }
  }
  return out;
}

export interface RetryPolicy {
  /** Total attempts (first try included). */
  attempts: number;
  /** First backoff; doubles each time, with ±20% jitter. */
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 2_000 };

/**
 * Calls `attempt` until it succeeds or the policy is exhausted; `before(n)` runs before each try and
 * may veto it (the lease was lost). Returns the result or the last error.
 */
export async function withRetry<T>(
  policy: RetryPolicy, attempt: () => Promise<T>, before: (n: number) => Promise<boolean>,
): Promise<{ ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number; vetoed: boolean }> {
  let last: unknown;
  for (let n = 1; n <= Math.max(1, policy.attempts); n++) {
    if (n > 1) await sleep(policy.baseMs * 2 ** (n - 2) * (0.8 + Math.random() * 0.4));
    if (!(await before(n))) return { ok: false, error: last ?? new Error('delivery claim lost'), attempts: n - 1, vetoed: true };
    try {
      return { ok: true, value: await attempt(), attempts: n };
    } catch (err) {
      last = err;
    }
  }
  return { ok: false, error: last, attempts: Math.max(1, policy.attempts), vetoed: false };
}

/** A one-line description of a transport error (SMTP reply code and text when there is one). */
export function describeSendError(err: unknown, smtpUrl?: string): string {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const line = e?.response
    ? `SMTP ${e.response}` // the reply starts with its code: "550 Mailbox unavailable"
    : `${e?.responseCode ? `SMTP ${e.responseCode}` : e?.code ?? 'error'}: ${e?.message ?? String(err)}`;
  return redactSecrets(line.replace(/\s+/g, ' ').slice(0, 500), smtpUrl);
}
