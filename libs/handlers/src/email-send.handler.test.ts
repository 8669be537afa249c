import { EngineError, serviceConfigProblems, type JsonObject, type ServiceCallContext } from '@wf/engine';
import { createEmailSendHandler, DEFAULT_EMAIL_FROM, type EmailSendHandler } from './email-send.handler';
import type { HandlerLog } from './handler-log';

const silentLog = (): HandlerLog => ({ debug() {}, info() {}, warn() {} });

/** What a save would report for the node's config, `to`, `subject` and `body` given. */
function saveProblems(handler: EmailSendHandler, config: JsonObject) {
  return serviceConfigProblems(handler.configSchema!, { to: 'a@example.com', subject: 's', body: 'b', ...config });
}

function call(config: JsonObject, context: JsonObject = {}): ServiceCallContext {
  const instance = { id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };
  return {
    tenantId: '00000000-0000-0000-0000-000000000001',
    instanceId: instance.id,
    executionId: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60',
    nodeId: 'notify',
    config,
    context,
    scope: { context, instance },
    attempt: 1,
    signal: new AbortController().signal,
  };
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}

describe('email_send without SMTP_URL', () => {
  it('records the rendered message in the outbox and logs it', async () => {
    const log = silentLog();
    const info = jest.spyOn(log, 'info');
    const handler = createEmailSendHandler({ smtpUrl: null, log });
    const result = await handler.execute(
      call(
        { to: '{{ context.requester }}', subject: 'PO {{ context.po }} approved', body: 'Amount: {{ context.amount }}' },
        { requester: 'ann@example.com', po: 'PO-7', amount: 15000 },
      ),
    );

    expect(handler.outbox).toHaveLength(1);
    expect(handler.outbox[0]).toMatchObject({
      from: DEFAULT_EMAIL_FROM,
      to: 'ann@example.com',
      subject: 'PO PO-7 approved',
      body: 'Amount: 15000',
      nodeId: 'notify',
    });
    expect(result.output).toEqual({ messageId: handler.outbox[0]?.messageId, to: 'ann@example.com' });
    expect(result.output?.['messageId']).toMatch(/^<.+>$/);
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ to: 'ann@example.com', subject: 'PO PO-7 approved' }), 'email recorded (no SMTP_URL)');
  });

  it('uses config.from when given and keeps header values on one line', async () => {
    const handler = createEmailSendHandler({ smtpUrl: null, allowedFrom: ['ops@example.com'], log: silentLog() });
    await handler.execute(call({ to: 'a@example.com', from: 'ops@example.com', subject: '{{ context.s }}', body: 'b' }, { s: 'hi\r\nBcc: x@evil.test' }));
    expect(handler.outbox[0]).toMatchObject({ from: 'ops@example.com', subject: 'hi Bcc: x@evil.test' });
  });

  it('keeps only the last 1000 messages', async () => {
    const handler = createEmailSendHandler({ smtpUrl: null, log: silentLog() });
    for (let i = 0; i < 1005; i++) await handler.execute(call({ to: 'a@example.com', subject: `n${i}`, body: '' }));
    expect(handler.outbox).toHaveLength(1000);
    expect(handler.outbox[0]?.subject).toBe('n5');
  });

  it('fails for good when the recipient renders empty', async () => {
    const handler = createEmailSendHandler({ smtpUrl: null, log: silentLog() });
    const err = await failure(handler.execute(call({ to: '{{ context.to }}', subject: 's', body: 'b' }, { to: '' })));
    expect(err.code).toBe('EMAIL_NO_RECIPIENT');
    expect(err.retryable).toBe(false);
  });
});

describe('email_send senders (SMTP_FROM, SMTP_ALLOWED_FROM)', () => {
  const handler = createEmailSendHandler({
    smtpUrl: null,
    defaultFrom: 'workflow@example.com',
    allowedFrom: ['billing@example.com', '@partner.example'],
    log: silentLog(),
  });
  const mail = (from: string, context: JsonObject = {}) => handler.execute(call({ to: 'a@example.com', subject: 's', body: 'b', from }, context));

  it('sends as the default sender when the node names none, or its from renders empty', async () => {
    await handler.execute(call({ to: 'a@example.com', subject: 'none', body: 'b' }));
    await mail('{{ context.sender }}', { sender: '' });
    expect(handler.outbox.slice(-2).map((m) => m.from)).toEqual(['workflow@example.com', 'workflow@example.com']);
  });

  it('sends as a listed address or one of a listed domain, in any case, with a display name', async () => {
    await mail('Billing <BILLING@example.com>');
    await mail('{{ context.sender }}', { sender: 'desk@partner.example' });
    await mail('workflow@example.com');
    expect(handler.outbox.slice(-3).map((m) => m.from)).toEqual(['Billing <BILLING@example.com>', 'desk@partner.example', 'workflow@example.com']);
  });

  it('fails the node for good with EMAIL_FROM_NOT_ALLOWED for any other sender, sending nothing', async () => {
    const sent = handler.outbox.length;
    const cases: [string, JsonObject][] = [
      ['ceo@example.com', {}],
      ['{{ context.sender }}', { sender: 'Billing <billing@evil.example>' }],
      // a subdomain is not the domain
      ['desk@sub.partner.example', {}],
    ];
    for (const [from, context] of cases) {
      const err = await failure(mail(from, context));
      expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'EMAIL_FROM_NOT_ALLOWED', retryable: false });
    }
    const err = await failure(mail('ceo@example.com'));
    expect(err.message).toBe(
      'email_send: serviceConfig.from "ceo@example.com" is not an allowed sender (SMTP_ALLOWED_FROM: workflow@example.com, billing@example.com, @partner.example)',
    );
    expect(handler.outbox).toHaveLength(sent);
  });

  it('refuses a from that is not exactly one address', async () => {
    for (const from of ['billing@example.com, ceo@example.com', 'nobody', '@partner.example']) {
      const err = await failure(mail(from));
      expect(err.code).toBe('EMAIL_FROM_NOT_ALLOWED');
      expect(err.message).toMatch(/is not one sender address/);
    }
  });

  it('refuses a literal from off the list at save time, and leaves templates to the send', () => {
    expect(saveProblems(handler, { to: 'a@example.com', subject: 's', body: 'b' })).toEqual([]);
    expect(saveProblems(handler, { from: 'Billing <billing@example.com>' })).toEqual([]);
    expect(saveProblems(handler, { from: '{{ context.sender }}' })).toEqual([]);
    expect(saveProblems(handler, { from: '' })).toEqual([]);
    expect(saveProblems(handler, { from: 'ceo@example.com' })).toEqual([
      { path: 'from', message: '"ceo@example.com" is not an allowed sender (SMTP_ALLOWED_FROM: workflow@example.com, billing@example.com, @partner.example)' },
    ]);
    expect(saveProblems(handler, { from: 7 })).toEqual([{ path: 'from', message: 'email_send serviceConfig.from must be a string' }]);
  });

  it('allows only the default sender when no list is given', async () => {
    const plain = createEmailSendHandler({ smtpUrl: null, log: silentLog() });
    expect(saveProblems(plain, { from: DEFAULT_EMAIL_FROM })).toEqual([]);
    expect(saveProblems(plain, { from: 'ops@example.com' })).toHaveLength(1);
  });
});

describe('email_send with SMTP_URL', () => {
  it('turns an SMTP failure into a retryable error and records nothing', async () => {
    // port 1 on loopback: nothing listens, so the connection is refused at once
    const handler = createEmailSendHandler({ smtpUrl: 'smtp://127.0.0.1:1', log: silentLog() });
    const err = await failure(handler.execute(call({ to: 'a@example.com', subject: 's', body: 'b' })));
    expect(err.code).toBe('EMAIL_SEND_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED|ESOCKET/);
    expect(handler.outbox).toHaveLength(0);
  });
});
