/**
 * A real SMTP server in the test process (the `smtp-server` package) on a
 * loopback port: it accepts every mail and keeps it, decoded, so a test can
 * read the link a flow sent. No STARTTLS, no authentication.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The text body, transfer encoding undone. */
  text: string;
}

export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** The first mail (already received or still to come) to `to` after the `skip` earlier ones to that address. */
  next(to: string, skip?: number): Promise<ReceivedMail>;
  /** Mails received so far for `to`. */
  to(to: string): ReceivedMail[];
  close(): Promise<void>;
}

const decodeQuotedPrintable = (s: string) =>
  Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

const decodeWord = (s: string) =>
  s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );

/** Splits a single-part message into its decoded subject and body. */
function parse(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => head.match(new RegExp(`^${name}:\\s*(.*)$`, 'im'))?.[1]?.trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { to, subject: decodeWord(header('Subject')), text };
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const waiting: { to: string; skip: number; resolve: (m: ReceivedMail) => void }[] = [];
  const forAddress = (to: string) => mails.filter((m) => m.to.includes(to));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        mails.push(parse(Buffer.concat(chunks).toString('latin1'), to));
        for (const w of [...waiting]) {
          const list = forAddress(w.to);
          if (list.length > w.skip) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(list[w.skip]);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    to: forAddress,
    next(to, skip = 0) {
      const list = forAddress(to);
      if (list.length > skip) return Promise.resolve(list[skip]);
      return new Promise((resolve) => waiting.push({ to, skip, resolve }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
