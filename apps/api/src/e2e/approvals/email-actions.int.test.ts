/**
 * Approve from an email, through the real API and a real Postgres: a task with `notify` mails its
 * holders (without SMTP_URL the email_send handler records the message: the test reads its
 * outbox), the mail's links open a confirmation page that decides nothing, and the page's POST
 * decides once, as the recipient, through the same decision use case as the API. Refused: a used
 * link, an expired one, a tampered one, one forwarded to someone else (the address check), one
 * whose task was delegated away, and the starter's own request (separation of duties, recorded
 * as decision_refused).
 */
import request, { type Response } from 'supertest';
import type { EmailSendHandler, SentEmail } from '@wf/handlers';
import { escalateTask } from '@wf/engine';
import { EmailActionKeys } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_A, createHarness, eventually, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
const clock = new OffsetClock();
let h: Harness;
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness({ clock, env: { WORKFLOW_EMAIL_ADDRESS_TEMPLATE: '{userId}@example.com', PUBLIC_URL: 'https://wf.example/' } });
  admin = h.as('ea-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

/** What the email_send handler recorded (no SMTP_URL in tests). */
function outbox(): readonly SentEmail[] {
  return (h.rt.handlers.get('email_send') as unknown as EmailSendHandler).outbox;
}

function mailTo(user: string, instanceId: string, subject = /./): Promise<SentEmail> {
  return eventually(
    async () => outbox().find((m) => m.to === `${user}@example.com` && m.instanceId === instanceId && subject.test(m.subject)),
    10_000,
    `a mail to ${user} about instance ${instanceId}`,
  );
}

interface Links {
  approve: string;
  reject: string;
}

function linksOf(mail: SentEmail): Links {
  const approve = /^Approve: (\S+)$/m.exec(mail.body)?.[1];
  const reject = /^Reject: {2}(\S+)$/m.exec(mail.body)?.[1];
  if (!approve || !reject) throw new Error(`no decision links in:\n${mail.body}`);
  return { approve, reject };
}

/** The link as the app sees it: path and query. */
const local = (link: string) => {
  const url = new URL(link);
  return { path: url.pathname, token: url.searchParams.get('token') ?? '', full: `${url.pathname}${url.search}` };
};

const open = (link: string) => request(h.app).get(local(link).full);

/** The confirmation page's form, submitted. */
function confirm(link: string, fields: { address: string; comments?: string; token?: string }): Promise<Response> {
  const { path, token } = local(link);
  return request(h.app).post(path).type('form').send({ token: fields.token ?? token, address: fields.address, ...(fields.comments ? { comments: fields.comments } : {}) });
}

/** The refusal code a page shows. */
const codeOf = (res: Response) => /data-code="([^"]+)"/.exec(res.text)?.[1];

async function nodes(instanceId: string) {
  return (await admin.instance(instanceId)).nodes;
}

/** The instance's `n`th task as the task API shows it (who decided it, whom it is assigned to). */
async function taskAt(instanceId: string, n = 0) {
  return admin.task((await nodes(instanceId))[n]?.id ?? '');
}

const approval = (id: string, fields: Record<string, unknown>) => ({ id, nodeType: 'approval', name: id.replace(/_/g, ' '), notify: { email: true }, ...fields });

describe('approval mails', () => {
  let definitionId: string;

  beforeAll(async () => {
    definitionId = await admin.define({
      name: 'ea-purchase',
      nodes: [
        approval('manager_approval', { approverUserId: 'alice' }),
        approval('finance_approval', { approverRole: 'finance', notify: { email: true, users: ['fred'] } }),
      ],
      routes: [{ fromNodeId: 'manager_approval', toNodeId: 'finance_approval' }],
    });
  });

  const start = () => admin.start(definitionId, { amount: 5000, vendor: 'Acme', lines: [{ sku: 'x' }] }, { contextEntityType: 'purchase_order', contextEntityId: `PO-${Math.random().toString(36).slice(2, 8)}` });

  it('mail the holder the workflow, task, business key and key context, with an approve and a reject link', async () => {
    const id = await start();
    const instance = await admin.instance(id);
    const mail = await mailTo('alice', id);
    expect(mail.subject).toBe(`[Approval] manager approval: ea-purchase · purchase_order ${instance.contextEntityId}`);
    expect(mail.body).toContain('Workflow:     ea-purchase');
    expect(mail.body).toContain(`Business key: purchase_order ${instance.contextEntityId}`);
    expect(mail.body).toContain('  amount: 5000\n  vendor: Acme');
    const links = linksOf(mail);
    expect(links.approve).toMatch(/^https:\/\/wf\.example\/email-actions\/approve\?token=v1\.[\w-]+\.[\w-]+$/);
    expect(links.reject).toMatch(/^https:\/\/wf\.example\/email-actions\/reject\?token=/);
    expect(mail.body).toContain(`Task: https://wf.example/api/tasks/${instance.nodes[0]?.id}`);
  });

  it('a GET shows a confirmation page under a strict CSP and never decides, however often it is followed', async () => {
    const id = await start();
    const { approve, reject } = linksOf(await mailTo('alice', id));
    for (const link of [approve, approve, reject]) {
      const page = await open(link);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'/);
      expect(page.headers['content-security-policy']).not.toContain('script');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).not.toContain('<script');
      expect(page.text).toContain('<form method="post"');
      expect(page.text).toContain('acts for <strong>alice</strong> only');
      expect(page.text).toContain('ea-purchase');
    }
    expect((await nodes(id)).map((n) => n.status)).toEqual(['waiting']);
    expect(await admin.events(id)).not.toContain('task_approved');
  });

  it('the POST approves as the recipient, with comments; the instance moves on and the next holders are mailed', async () => {
    const id = await start();
    const { approve } = linksOf(await mailTo('alice', id));
    const res = await confirm(approve, { address: 'Alice@Example.com', comments: 'fine by me' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Approved</h1>');
    expect(await taskAt(id, 0)).toMatchObject({ status: 'completed', decision: 'approved', decidedBy: 'alice', comments: 'fine by me' });
    expect((await nodes(id))[1]).toMatchObject({ nodeId: 'finance_approval', status: 'waiting' });

    // a role's task: notify.users act with its role through their links
    const finance = linksOf(await mailTo('fred', id, /finance approval/));
    expect((await confirm(finance.approve, { address: 'fred@example.com' })).status).toBe(200);
    expect((await admin.finished(id)).status).toBe('completed');
    expect(await taskAt(id, 1)).toMatchObject({ decidedBy: 'fred', decision: 'approved' });
  });

  it('refuses a used link, and the other link of the mail once the task is decided', async () => {
    const id = await start();
    const { approve, reject } = linksOf(await mailTo('alice', id));
    expect((await confirm(approve, { address: 'alice@example.com' })).status).toBe(200);

    const again = await confirm(approve, { address: 'alice@example.com' });
    expect(again.status).toBe(409);
    expect(codeOf(again)).toBe('LINK_USED');
    expect(again.text).toContain('This link was already used');
    const reopened = await open(approve);
    expect(codeOf(reopened)).toBe('LINK_USED');

    const twin = await confirm(reject, { address: 'alice@example.com' });
    expect(twin.status).toBe(409);
    expect(codeOf(twin)).toBe('TASK_NOT_WAITING');
    expect(twin.text).toContain('approved by alice');
    expect((await nodes(id))[0]).toMatchObject({ decision: 'approved' });
  });

  it('decides once when the same link is confirmed twice at once (a double click)', async () => {
    const id = await start();
    const { approve } = linksOf(await mailTo('alice', id));
    const answers = await Promise.all([confirm(approve, { address: 'alice@example.com' }), confirm(approve, { address: 'alice@example.com' })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(codeOf(answers.find((r) => r.status === 409) as Response)).toBe('LINK_USED');
    expect((await admin.events(id)).filter((e) => e === 'task_approved')).toHaveLength(1);
  });

  it('refuses a tampered link, and an approve link posted as a reject, deciding nothing', async () => {
    const id = await start();
    const { approve } = linksOf(await mailTo('alice', id));
    const { token } = local(approve);
    const [version, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${version}.${Buffer.from(JSON.stringify({ ...claims, a: 'reject' })).toString('base64url')}.${signature}`;
    const truncated = token.slice(0, -3);
    for (const bad of [forged, truncated, 'nonsense', '']) {
      const page = await request(h.app).get('/email-actions/reject').query({ token: bad });
      expect(page.status).toBe(400);
      expect(codeOf(page)).toBe('LINK_INVALID');
      const posted = await request(h.app).post('/email-actions/reject').type('form').send({ token: bad, address: 'alice@example.com' });
      expect(codeOf(posted)).toBe('LINK_INVALID');
    }
    const wrongAction = await request(h.app).post('/email-actions/reject').type('form').send({ token, address: 'alice@example.com' });
    expect(wrongAction.status).toBe(400);
    expect(codeOf(wrongAction)).toBe('LINK_WRONG_ACTION');
    expect((await nodes(id)).map((n) => n.status)).toEqual(['waiting']);
    // the genuine link still works
    expect((await confirm(approve, { address: 'alice@example.com' })).status).toBe(200);
  });

  it('refuses a link forwarded to someone else: it never acts for the forwardee, and stays the recipient\'s', async () => {
    const id = await start();
    const { approve } = linksOf(await mailTo('alice', id));
    // bob opens alice's forwarded mail: the page says whose link it is
    expect((await open(approve)).text).toContain('acts for <strong>alice</strong> only');
    const forwarded = await confirm(approve, { address: 'bob@example.com', comments: 'approving for alice' });
    expect(forwarded.status).toBe(403);
    expect(codeOf(forwarded)).toBe('LINK_NOT_RECIPIENT');
    expect(forwarded.text).toContain('sent to someone else');
    const blank = await confirm(approve, { address: '' });
    expect(codeOf(blank)).toBe('LINK_NOT_RECIPIENT');
    expect(await taskAt(id)).toMatchObject({ status: 'waiting', decidedBy: null });

    // the refusal did not use the link up: alice still decides with it
    expect((await confirm(approve, { address: 'alice@example.com' })).status).toBe(200);
    expect(await taskAt(id)).toMatchObject({ decision: 'approved', decidedBy: 'alice' });
  });

  it('refuses the link of a task its recipient delegated away: it acts only for them, who no longer hold it', async () => {
    const id = await start();
    const { approve } = linksOf(await mailTo('alice', id));
    const alice = h.as('alice', []);
    await alice.act(await alice.taskFor(id), 'delegate', { toUserId: 'bob' });
    const res = await confirm(approve, { address: 'alice@example.com' });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe('NOT_TASK_ASSIGNEE');
    expect(res.text).toContain('no longer assigned to you');
    expect(await taskAt(id)).toMatchObject({ status: 'waiting', assignedUserId: 'bob', decidedBy: null });
    // refused for good: the link is used
    expect(codeOf(await confirm(approve, { address: 'alice@example.com' }))).toBe('LINK_USED');
  });

  it('a quorum voter\'s link casts one vote', async () => {
    const quorum = await admin.define({
      name: 'ea-quorum',
      nodes: [approval('board', { quorum: { voters: { users: ['vic', 'val'] }, required: 'all' } })],
      routes: [],
    });
    const id = await admin.start(quorum, {});
    const vic = linksOf(await mailTo('vic', id));
    const val = linksOf(await mailTo('val', id));
    const first = await confirm(vic.approve, { address: 'vic@example.com' });
    expect(first.text).toContain('Vote recorded');
    expect(first.text).toContain('1 approve and 0 reject so far, 2 needed');
    expect((await confirm(val.approve, { address: 'val@example.com' })).text).toContain('Your vote decided the task: approved');
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('a user task\'s mail links to the task only', async () => {
    const form = await admin.define({
      name: 'ea-form',
      nodes: [{ id: 'fill', nodeType: 'user_task', name: 'Fill in', assigneeUserId: 'uma', notify: { email: true } }],
      routes: [],
    });
    const id = await admin.start(form, {});
    const mail = await mailTo('uma', id);
    expect(mail.body).not.toMatch(/email-actions/);
    expect(mail.body).toMatch(/^Task: https:\/\/wf\.example\/api\/tasks\/[\w-]+$/m);
  });
});

describe('separation of duties through the link', () => {
  it('refuses the starter\'s own request, says the rule, and records decision_refused', async () => {
    const definitionId = await admin.define({
      name: 'ea-sod',
      nodes: [approval('review', { approverRole: 'manager', notStarter: true, notify: { email: true, users: ['sam', 'mia'] } })],
      routes: [],
    });
    const sam = h.as('sam', ['manager']);
    const id = await sam.start(definitionId, { amount: 10 });
    // the mail to the starter says why it has no links, as their queue hides the task
    const samMail = await mailTo('sam', id);
    expect(samMail.body).not.toContain('email-actions');
    expect(samMail.body).toContain('Separation of duties excludes you from deciding this task: you started this instance (notStarter)');
    const mia = linksOf(await mailTo('mia', id));

    // a link for sam made as the notifier makes them (an old mail, a mail server that kept one):
    // the decision use case, not the mail, is what refuses
    const task = (await nodes(id))[0]?.id ?? '';
    const keys = new EmailActionKeys(h.rt.config.jwtSecret);
    const token = keys.sign({
      tenantId: TENANT_A,
      taskId: task,
      userId: 'sam',
      action: 'approve',
      roles: ['manager'],
      jti: '7a1f3a52-6d0c-4b8e-9a55-0c1b2d3e4f50',
      expiresAt: new Date(clock.now().getTime() + HOUR),
      addressHash: keys.addressHash('sam@example.com'),
    });
    const link = `https://wf.example/email-actions/approve?token=${token}`;
    expect((await open(link)).status).toBe(200);
    const refused = await confirm(link, { address: 'sam@example.com' });
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('SEPARATION_OF_DUTIES');
    expect(refused.text).toContain('Rule notStarter: whoever started a request may not decide it themselves');
    const history = await admin.history(id);
    expect(history.find((e) => e.eventType === 'decision_refused')).toMatchObject({
      actorUserId: 'sam',
      details: { code: 'SEPARATION_OF_DUTIES', rule: 'notStarter', action: 'approve', nodeId: 'review' },
    });
    expect((await nodes(id))[0]).toMatchObject({ status: 'waiting' });
    expect(codeOf(await confirm(link, { address: 'sam@example.com' }))).toBe('LINK_USED');

    expect((await confirm(mia.approve, { address: 'mia@example.com' })).status).toBe(200);
    expect((await admin.finished(id)).status).toBe('completed');
  });
});

// last: the clock moves three days on
describe('expiry and escalation', () => {
  it('refuses an expired link; the escalation\'s mail brings fresh links', async () => {
    const definitionId = await admin.define({
      name: 'ea-expiry',
      escalationEnabled: true,
      nodes: [approval('late', { approverUserId: 'eve', escalationRole: 'director' })],
      routes: [],
    });
    const id = await admin.start(definitionId, {});
    const { approve } = linksOf(await mailTo('eve', id));
    clock.advance(72 * HOUR + 1000);

    const page = await open(approve);
    expect(page.status).toBe(410);
    expect(codeOf(page)).toBe('LINK_EXPIRED');
    const posted = await confirm(approve, { address: 'eve@example.com' });
    expect(posted.status).toBe(410);
    expect(codeOf(posted)).toBe('LINK_EXPIRED');
    expect((await nodes(id))[0]).toMatchObject({ status: 'waiting' });

    // the default 48 h deadline has passed too: escalation mails the holder again
    const task = (await nodes(id))[0]?.id ?? '';
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: task })).toBe(true);
    const escalated = linksOf(await mailTo('eve', id, /^\[Escalated\]/));
    expect((await confirm(escalated.approve, { address: 'eve@example.com' })).status).toBe(200);
    expect((await admin.finished(id)).status).toBe('completed');
  });
});
