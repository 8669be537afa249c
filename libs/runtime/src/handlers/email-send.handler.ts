/**
 * `email_send`: `{ to, subject, body, from? }`, each a template. With SMTP_URL the message goes
 * through nodemailer's SMTP transport; without it, it is recorded in `outbox` (the last 1000) and
 * logged, so development and tests can see what would have been sent.
 */

import nodemailer, { type SendMailOptions } from 'nodemailer';
import { NodeFailedError, TransientError, renderTemplate, type ServiceCallContext, type ServiceHandler, type ServiceResult } from '@wf/engine';
import type { Logger } from '../logger';

export interface EmailSendHandlerOptions {
  /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://...`); null records messages in `outbox` instead */
  smtpUrl: string | null;
  log: Logger;
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

export const DEFAULT_EMAIL_FROM = 'workflow-engine@localhost';
const OUTBOX_LIMIT = 1000;

/** Header values are one line; a template that renders a line break must not add headers. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function field(call: ServiceCallContext, key: string, required: boolean): string | undefined {
  const raw = call.config[key];
  if (raw === undefined && !required) return undefined;
  if (typeof raw !== 'string') throw new NodeFailedError('INVALID_CONFIG', `email_send: serviceConfig.${key} must be a string`);
  return renderTemplate(raw, call.scope);
}

export function createEmailSendHandler(opts: EmailSendHandlerOptions): EmailSendHandler {
  const { log } = opts;
  const outbox: SentEmail[] = [];
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : nodemailer.createTransport({ jsonTransport: true });
  const send = (message: SendMailOptions): Promise<{ messageId: string }> => transport.sendMail(message);

  return {
    type: 'email_send',
    get outbox(): ReadonlyArray<SentEmail> {
      return outbox;
    },
    async execute(call: ServiceCallContext): Promise<ServiceResult> {
      const to = oneLine(field(call, 'to', true) ?? '');
      const subject = oneLine(field(call, 'subject', true) ?? '');
      const body = field(call, 'body', true) ?? '';
      const from = oneLine(field(call, 'from', false) ?? DEFAULT_EMAIL_FROM);
      if (!to) throw new NodeFailedError('EMAIL_NO_RECIPIENT', 'email_send: serviceConfig.to rendered to an empty string');
      if (call.signal.aborted) throw new TransientError('EMAIL_ABORTED', 'the step was aborted (shutdown or lost lease)');

      let messageId: string;
      try {
        ({ messageId } = await send({ from, to, subject, text: body }));
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
  };
}
