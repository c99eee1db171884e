/** The mails of account self-service, in the page locales (en, de); plain text. */

/** The page locales (ui/i18n.ts): mails speak the language of the page that sent them. */
export type MailLocale = 'en' | 'de';

export type AccountMailKind = 'verify' | 'already_registered' | 'reset';

export interface AccountMail {
  kind: AccountMailKind;
  subject: string;
  text: string;
}

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

const TEXTS = {
  en: {
    verify: (product: string, link: string, valid: number): AccountMail => ({
      kind: 'verify',
      subject: `Confirm your ${product} account`,
      text: `Hello,\n\nsomeone (hopefully you) registered an account with this email address at ${product}.\nTo confirm the address and activate the account, open this link within ${minutes(valid)} minutes:\n\n${link}\n\nIf you did not register, ignore this mail: no account is created.\n`,
    }),
    alreadyRegistered: (product: string, resetLink: string | undefined): AccountMail => ({
      kind: 'already_registered',
      subject: `Your ${product} account`,
      text: `Hello,\n\nsomeone tried to register at ${product} with this email address, which already has an account.\nIf that was you, sign in with your password${resetLink ? `, or choose a new one here:\n\n${resetLink}\n` : '.\n'}\nIf it was not you, ignore this mail: nothing was changed.\n`,
    }),
    reset: (product: string, link: string, valid: number): AccountMail => ({
      kind: 'reset',
      subject: `Reset your ${product} password`,
      text: `Hello,\n\nsomeone (hopefully you) asked to reset the password of your ${product} account.\nTo choose a new password, open this link within ${minutes(valid)} minutes:\n\n${link}\n\nThe link works once. If you did not ask for it, ignore this mail: your password stays as it is.\n`,
    }),
  },
  de: {
    verify: (product: string, link: string, valid: number): AccountMail => ({
      kind: 'verify',
      subject: `Bestätigen Sie Ihr ${product}-Konto`,
      text: `Hallo,\n\njemand (hoffentlich Sie) hat mit dieser E-Mail-Adresse ein Konto bei ${product} registriert.\nÖffnen Sie innerhalb von ${minutes(valid)} Minuten diesen Link, um die Adresse zu bestätigen und das Konto zu aktivieren:\n\n${link}\n\nWenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail: Es wird kein Konto angelegt.\n`,
    }),
    alreadyRegistered: (product: string, resetLink: string | undefined): AccountMail => ({
      kind: 'already_registered',
      subject: `Ihr ${product}-Konto`,
      text: `Hallo,\n\njemand wollte sich bei ${product} mit dieser E-Mail-Adresse registrieren, zu der es bereits ein Konto gibt.\nWenn Sie das waren, melden Sie sich mit Ihrem Passwort an${resetLink ? ` oder wählen Sie hier ein neues:\n\n${resetLink}\n` : '.\n'}\nWenn Sie es nicht waren, ignorieren Sie diese E-Mail: Es wurde nichts geändert.\n`,
    }),
    reset: (product: string, link: string, valid: number): AccountMail => ({
      kind: 'reset',
      subject: `Passwort für ${product} zurücksetzen`,
      text: `Hallo,\n\njemand (hoffentlich Sie) möchte das Passwort Ihres ${product}-Kontos zurücksetzen.\nÖffnen Sie innerhalb von ${minutes(valid)} Minuten diesen Link, um ein neues Passwort zu wählen:\n\n${link}\n\nDer Link funktioniert einmal. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n`,
    }),
  },
} satisfies Record<MailLocale, unknown>;

/** The mail texts of a locale. */
export const accountMails = (locale: MailLocale) => TEXTS[locale];
