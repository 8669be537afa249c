/**
 * A plugin handler is one object: `{ type, configSchema, execute }`. Its schema judges each
 * node's `serviceConfig` when the definition is saved (a `400 INVALID_DEFINITION` naming every
 * path), its `execute` receives the config as the schema parsed it (defaults filled), and a stored
 * config that no longer fits fails the step with `INVALID_CONFIG` without reaching the handler.
 *
 *   start (set_context) --> ticket (ticket_open, the plugin)
 */
import { z } from 'zod';
import { withCelTemplates, type JsonObject } from '@wf/engine';
import { definition } from '@wf/testkit/definitions';
import { createHarness, sqlAsOwner, type Harness } from '../testing/engine-harness';

const ticketConfig = withCelTemplates(
  z.looseObject({
    queue: z.enum(['finance', 'it'], { error: 'queue must be finance or it' }),
    priority: z.number().int().min(1).max(5, { error: 'priority must be at most 5' }).default(3),
    title: z.string({ error: 'ticket_open needs a title' }),
  }),
);
type TicketConfig = z.output<typeof ticketConfig>;

let h: Harness;
const received: TicketConfig[] = [];

beforeAll(async () => {
  h = await createHarness();
  h.rt.handlers.register<TicketConfig>({
    type: 'ticket_open',
    configSchema: ticketConfig,
    async execute({ config, scope }) {
      received.push(config);
      return { contextUpdates: { ticket: `${config.queue}-${config.priority}`, about: String(scope.context['po']) } };
    },
  });
});

afterAll(() => h.close());

const ticketFlow = (name: string, config: JsonObject) =>
  definition(name).setContext('start', { opened: true }).service('ticket', 'ticket_open', config).chain('start', 'ticket').build();

describe('a plugin handler with its own config schema', () => {
  it('refuses a config its schema refuses at save, with every path', async () => {
    const admin = h.as('admin', ['admin']);
    const res = await admin.post('/api/definitions', ticketFlow('Bad ticket', { queue: 'hr', priority: 9, note: '{{ context.po' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual([
      { path: 'nodes[1].serviceConfig.queue', message: 'queue must be finance or it' },
      { path: 'nodes[1].serviceConfig.priority', message: 'priority must be at most 5' },
      { path: 'nodes[1].serviceConfig.title', message: 'ticket_open needs a title' },
      { path: 'nodes[1].serviceConfig.note', message: 'invalid template: "{{" without a closing "}}"' },
    ]);
  });

  it('runs a config its schema accepts, handing the handler what the schema parsed', async () => {
    const admin = h.as('admin', ['admin']);
    const id = await admin.define(ticketFlow('Good ticket', { queue: 'finance', title: 'PO {{ context.po }}' }));
    const done = await admin.finished(await admin.start(id, { po: 'PO-7' }));
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ po: 'PO-7', opened: true, ticket: 'finance-3', about: 'PO-7' });
    expect(received.at(-1)).toEqual({ queue: 'finance', priority: 3, title: 'PO {{ context.po }}' });
  });

  it('fails the step with INVALID_CONFIG, not calling the handler, when a stored config no longer fits', async () => {
    const admin = h.as('admin', ['admin']);
    const id = await admin.define(ticketFlow('Old ticket', { queue: 'it', title: 'old' }));
    // as if saved before the schema allowed at most 5
    await sqlAsOwner(h.db.url, `UPDATE workflow_definitions SET nodes = jsonb_set(nodes, '{1,serviceConfig,priority}', '9') WHERE id = $1`, [id]);
    const calls = received.length;
    const failed = await admin.finished(await admin.start(id));
    expect(failed.status).toBe('failed');
    const ticket = failed.nodes.find((n) => n.nodeId === 'ticket');
    expect(ticket?.error).toMatchObject({ code: 'INVALID_CONFIG', message: 'ticket_open: priority must be at most 5' });
    expect(ticket?.attempts).toBe(1);
    expect(received).toHaveLength(calls);
  });
});
