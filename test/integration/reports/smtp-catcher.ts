/** A real SMTP server on 127.0.0.1 (smtp-server) that keeps what arrives, parsed with mailparser. */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface Received { raw: Buffer; mail: ParsedMail; rcptTo: string[] }

export interface SmtpCatcher {
  port: number;
  url(auth?: { user: string; pass: string }): string;
  received: Received[];
  /** RCPT TO attempts seen, accepted or not (to count retries). */
  attempts: number;
  /** While set, every RCPT TO is refused with this SMTP code and text. */
  reject: { code: number; text: string } | null;
  authUsers: string[];
  close(): Promise<void>;
}

export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const catcher = { received: [] as Received[], attempts: 0, reject: null as SmtpCatcher['reject'], authUsers: [] as string[] };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      catcher.authUsers.push(auth.username ?? '');
      cb(null, { user: auth.username });
    },
    onRcptTo(_address, _session, cb) {
      catcher.attempts++;
      if (catcher.reject) {
        const err = Object.assign(new Error(catcher.reject.text), { responseCode: catcher.reject.code });
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw, { keepCidLinks: true }).then((mail) => {
          catcher.received.push({ raw, mail, rcptTo: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        }, cb);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(catcher, {
    port,
    url: (auth?: { user: string; pass: string }) => `smtp://${auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : ''}127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as SmtpCatcher;
}
