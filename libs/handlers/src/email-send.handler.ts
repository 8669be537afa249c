/**
 * `email_send`: `{ to, subject, body, from? }`, each a template. With SMTP_URL the message goes
 * through nodemailer's SMTP transport; without it, it is recorded in `outbox` (the last 1000) and
 * logged, so development and tests can see what would have been sent.
 *
 * A definition may not send as anyone it likes: a `from` must be on the allowed list
 * (SMTP_ALLOWED_FROM), checked at save time when it is a literal and at every send (a template
 * is known only then, and a definition saved before the list changed is caught too).
 */

import nodemailer, { type SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { NodeFailedError, TransientError, bindServiceHandler, renderTemplate, type ServiceHandler, type ServiceResult } from '@wf/engine';
import { emailSendConfig, oneLine, type EmailSendConfig, type SenderCheck } from './email-send.config';
import type { HandlerLog } from './handler-log';

export interface EmailSendHandlerOptions {
  /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://...`); null records messages in `outbox` instead */
  smtpUrl: string | null;
  /** SMTP_FROM: the sender when a node gives no `from` (always allowed); default `DEFAULT_EMAIL_FROM` */
  defaultFrom?: string;
  /**
   * SMTP_ALLOWED_FROM: the addresses a node's `from` may name, and `@domain` entries for every
   * address of a domain, compared case-insensitively; default none besides `defaultFrom`
   */
  allowedFrom?: readonly string[];
  log: HandlerLog;
}

export interface SentEmail {
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly tenantId: string;
  readonly instanceId: string;
  readonly nodeId: string;
  /** ISO-8601 */
  readonly sentAt: string;
}

export type EmailSendHandler = ServiceHandler & {
  /** messages recorded without SMTP_URL, oldest first (empty when SMTP is configured) */
  readonly outbox: ReadonlyArray<SentEmail>;
};

/** The sender when neither the node nor the handler's options name one (SMTP_FROM's default). */
export const DEFAULT_EMAIL_FROM = 'workflow-engine@localhost';
const OUTBOX_LIMIT = 1000;

/**
 * Who may send: `from` is parsed as nodemailer parses it (`a@b`, `Name <a@b>`), and must be
 * exactly one address that is on the list or in one of its `@domain`s.
 */
function senderChecker(defaultFrom: string, allowedFrom: readonly string[]): SenderCheck {
  const defaultAddress = addressparser(defaultFrom, { flatten: true })[0]?.address ?? defaultFrom;
  const allowed = new Set([defaultAddress, ...allowedFrom].map((entry) => entry.trim().toLowerCase()));
  const listed = [...allowed].join(', ');
  return (from) => {
    const parsed = addressparser(from, { flatten: true });
    const one = parsed.length === 1 ? parsed[0] : undefined;
    if (!one || !/^[^@\s]+@[^@\s]+$/.test(one.address)) {
      return { ok: false, message: `"${from}" is not one sender address (local@domain or Name <local@domain>)` };
    }
    const address = one.address.toLowerCase();
    const domain = address.slice(address.lastIndexOf('@'));
    if (!allowed.has(address) && !allowed.has(domain)) {
      return { ok: false, message: `"${one.address}" is not an allowed sender (SMTP_ALLOWED_FROM: ${listed})` };
    }
    return { ok: true, sender: { name: one.name, address: one.address } };
  };
}

export function createEmailSendHandler(opts: EmailSendHandlerOptions): EmailSendHandler {
  const { log } = opts;
  const defaultFrom = opts.defaultFrom ?? DEFAULT_EMAIL_FROM;
  const checkSender = senderChecker(defaultFrom, opts.allowedFrom ?? []);
  const outbox: SentEmail[] = [];
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : nodemailer.createTransport({ jsonTransport: true });
  const send = (message: SendMailOptions): Promise<{ messageId: string }> => transport.sendMail(message);

  const handler = bindServiceHandler<EmailSendConfig>({
    type: 'email_send',
    configSchema: emailSendConfig(checkSender),
    async execute(call): Promise<ServiceResult> {
      const { config, scope } = call;
      const to = oneLine(renderTemplate(config.to, scope));
      const subject = oneLine(renderTemplate(config.subject, scope));
      const body = renderTemplate(config.body, scope);
      // a `from` that renders empty means the default sender, as if it were not given
      const from = oneLine(config.from === undefined ? '' : renderTemplate(config.from, scope)) || defaultFrom;
      if (!to) throw new NodeFailedError('EMAIL_NO_RECIPIENT', 'email_send: serviceConfig.to rendered to an empty string');
      const checked = checkSender(from);
      // a template's sender, or one taken off the list since the definition was saved
      if (!checked.ok) {
        throw new NodeFailedError('EMAIL_FROM_NOT_ALLOWED', `email_send: serviceConfig.from ${checked.message}`, { from });
      }
      if (call.signal.aborted) throw new TransientError('EMAIL_ABORTED', 'the step was aborted (shutdown or lost lease)');

      let messageId: string;
      try {
        // the parsed sender, so the message goes out as exactly the address that was checked
        ({ messageId } = await send({ from: checked.sender, to, subject, text: body }));
      } catch (err) {
        const e = err as { code?: string; responseCode?: number; message?: string };
        const code = e.code ?? 'SMTP_ERROR';
        throw new TransientError('EMAIL_SEND_FAILED', `email_send: ${code}: ${e.message ?? String(err)}`, {
          errorCode: code,
          responseCode: e.responseCode,
        });
      }

      if (!opts.smtpUrl) {
        outbox.push({
          messageId,
          from,
          to,
          subject,
          body,
          tenantId: call.tenantId,
          instanceId: call.instanceId,
          nodeId: call.nodeId,
          sentAt: new Date().toISOString(),
        });
        if (outbox.length > OUTBOX_LIMIT) outbox.splice(0, outbox.length - OUTBOX_LIMIT);
        log.info({ to, subject, messageId, instanceId: call.instanceId, nodeId: call.nodeId }, 'email recorded (no SMTP_URL)');
      } else {
        log.debug({ to, messageId, instanceId: call.instanceId, nodeId: call.nodeId }, 'email sent');
      }
      return { output: { messageId, to } };
    },
  });
  // the same array, appended to as messages are recorded
  return Object.assign(handler, { outbox: outbox as ReadonlyArray<SentEmail> });
}
