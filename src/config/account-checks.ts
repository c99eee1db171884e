/** Account settings that need other sections: flows that send mail need `email`. */
import { isRecord } from './loose-input.js';

export function checkAccount(input: Record<string, unknown>, add: (path: PropertyKey[], message: string) => void): void {
  const account = isRecord(input.account) ? input.account : {};
  if (isRecord(input.email)) return;
  for (const flow of ['registration', 'passwordReset'] as const) {
    if (account[flow] === true) add(['account', flow], 'needs the "email" section (email.from and email.smtp): the flow sends its links by mail');
  }
}
