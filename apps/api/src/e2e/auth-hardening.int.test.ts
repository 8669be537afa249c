/**
 * Hardening through the real API, worker, Postgres and Redis: a bearer token must say when it
 * expires, and `email_send` may only send as the senders SMTP_FROM and SMTP_ALLOWED_FROM name
 * (refused at save time when `from` is a literal, failing the node when a template renders one).
 */
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { createHarness, eventually, TENANT_A, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness({
    env: { SMTP_FROM: 'workflow@example.com', SMTP_ALLOWED_FROM: 'billing@example.com,@partner.example' },
  });
  admin = h.token('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

describe('token expiry', () => {
  it('answers 401 TOKEN_EXPIRY_REQUIRED to a well-signed token without exp', async () => {
    const noExp = jwt.sign({ sub: 'admin', tenant: TENANT_A, roles: ['admin'] }, h.env['AUTH_JWT_SECRET']!, { algorithm: 'HS256' });
    const res = await h.http().get('/api/definitions').set(auth(noExp));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({
      error: { code: 'TOKEN_EXPIRY_REQUIRED', message: 'Token has no expiry: tokens must carry an "exp" claim', details: null },
    });
  });

  it('accepts the same claims with exp, as the harness mints them', async () => {
    const claims = jwt.decode(admin) as jwt.JwtPayload;
    expect(typeof claims.exp).toBe('number');
    expect((await h.http().get('/api/definitions').set(auth(admin))).status).toBe(200);
  });
});

describe('email_send senders', () => {
  async function define(from: string): Promise<Response> {
    return h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({
        name: `Mail from ${from}`,
        nodes: [{ id: 'mail', nodeType: 'service_task', name: 'Mail', serviceType: 'email_send', serviceConfig: { to: 'buyer@example.com', subject: 'Hello', body: 'b', from } }],
        routes: [],
      });
  }

  type Detail = { status: string; nodes: { nodeId: string; status: string; attempts: number; error: { code: string; message: string } | null }[] };
  async function finished(id: string): Promise<Detail> {
    return eventually(async () => {
      const d = (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body as Detail;
      return d.status !== 'running' ? d : undefined;
    }, 15_000, `instance ${id} to finish`);
  }

  async function run(from: string, sender: string): Promise<Detail> {
    const def = await define(from);
    expect(def.status).toBe(201);
    const started = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: def.body.id, contextData: { sender } });
    expect(started.status).toBe(201);
    return finished(started.body.id as string);
  }

  it('refuses to save a definition whose literal from is not allowed, naming the field', async () => {
    const res = await define('ceo@example.com');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual([
      {
        path: 'nodes[0].serviceConfig.from',
        message: '"ceo@example.com" is not an allowed sender (SMTP_ALLOWED_FROM: workflow@example.com, billing@example.com, @partner.example)',
      },
    ]);
  });

  it('saves a literal from on the list, display name and all', async () => {
    const res = await define('Billing <billing@example.com>');
    expect(res.status).toBe(201);
  });

  it('fails the node with EMAIL_FROM_NOT_ALLOWED, without retrying, when a template renders a sender off the list', async () => {
    const failed = await run('{{ context.sender }}', 'ceo@example.com');
    expect(failed.status).toBe('failed');
    const node = failed.nodes.find((n) => n.nodeId === 'mail')!;
    expect(node.error?.code).toBe('EMAIL_FROM_NOT_ALLOWED');
    expect(node.error?.message).toMatch(/"ceo@example\.com" is not an allowed sender/);
    expect(node.attempts).toBe(1);
  });

  it('sends when a template renders an address of an allowed domain', async () => {
    const done = await run('{{ context.sender }}', 'desk@partner.example');
    expect(done.status).toBe('completed');
    const outbox = (h.rt.handlers.get('email_send') as unknown as { outbox: { from: string; subject: string }[] }).outbox;
    expect(outbox.some((m) => m.from === 'desk@partner.example')).toBe(true);
  });
});
