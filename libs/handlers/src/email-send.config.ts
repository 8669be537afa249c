/**
 * `email_send`'s `serviceConfig`: `{ to, subject, body, from? }`, every string a template. The
 * schema is made per handler, since who may send depends on its SMTP_ALLOWED_FROM.
 */

import { z } from 'zod';
import { refinedAtSave, withCelTemplates } from '@wf/engine';

/** Whether `from` may send, and as whom; `message` says why not. */
export type SenderCheck = (from: string) => { ok: true; sender: { name: string; address: string } } | { ok: false; message: string };

/** Header values are one line; a template that renders a line break must not add headers. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

const NEEDS_TO = 'email_send needs serviceConfig.to, a string';

/**
 * The config schema. A literal `from` off the list is refused when the definition is saved; the
 * handler checks every `from` as rendered when it sends (a template is known only then, and a
 * definition saved before the list changed is caught there too).
 */
export function emailSendConfig(checkSender: SenderCheck) {
  const from = refinedAtSave(z.string({ error: 'email_send serviceConfig.from must be a string' }), (value, ctx) => {
    // an empty `from` is the default sender
    if (value.includes('{{') || oneLine(value) === '') return;
    const checked = checkSender(oneLine(value));
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message });
  });
  return withCelTemplates(
    z.looseObject({
      to: z.string({ error: NEEDS_TO }).refine((value) => value.trim() !== '', { error: NEEDS_TO }),
      subject: z.string({ error: 'email_send needs serviceConfig.subject, a string' }),
      body: z.string({ error: 'email_send needs serviceConfig.body, a string' }),
      /** default the handler's `defaultFrom` (SMTP_FROM) */
      from: from.optional(),
    }),
  );
}

export type EmailSendConfig = z.output<ReturnType<typeof emailSendConfig>>;
