/**
 * Outgoing mail of account self-service: nodemailer over SMTP, configured by
 * the `email` section. One transport per provider (no module state). Links
 * in mails carry secrets: neither the message nor its link is ever logged,
 * only the kind of mail and the SMTP outcome.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { EmailConfig } from '../config/account-schema.js';
import type { AccountMail } from './mail-templates.js';

export interface Mailer {
  /** Sends one mail; resolves false (logged without its content) when SMTP refuses or is unreachable. */
  send(to: string, mail: AccountMail): Promise<boolean>;
  close(): void;
}

/**
 * @example
 * const mailer = createMailer({ from: 'Gatehouse <no-reply@example.com>', smtp: { host: 'smtp.example.com', port: 587, secure: false, requireTLS: true, timeout: 10000 } }, logger);
 * await mailer.send('ada@example.com', resetMail('en', link, 15));
 */
export function createMailer(config: EmailConfig, logger: Logger): Mailer {
  const { smtp } = config;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.auth,
    connectionTimeout: smtp.timeout,
    greetingTimeout: smtp.timeout,
    socketTimeout: smtp.timeout,
    // nodemailer's own logger would print message bodies (and their links).
    logger: false,
    debug: false,
  });
  return {
    async send(to, mail) {
      try {
        await transport.sendMail({ from: config.from, to, subject: mail.subject, text: mail.text });
        logger.info({ mail: mail.kind }, 'account mail sent');
        return true;
      } catch (err) {
        // The error of nodemailer names the SMTP step, never the message.
        logger.error({ mail: mail.kind, code: (err as { code?: string }).code, smtpError: (err as Error).message }, 'account mail could not be sent');
        return false;
      }
    },
    close: () => transport.close(),
  };
}
