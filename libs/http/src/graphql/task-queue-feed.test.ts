/** The feed's routing over the payloads of migrations 0007 and 0009, without a database. */

import type { Actor } from '@wf/engine';
import { holds, parseNotice } from './task-queue-feed';

const TENANT = '0A000000-0000-4000-8000-00000000000A';
const actor = (userId: string, roles: string[] = []): Actor => ({ tenantId: TENANT.toLowerCase(), userId, roles });
const payload = (b: unknown, a: unknown) => JSON.stringify({ t: TENANT, k: 'task-1', i: 'instance-1', b, a });

describe('parseNotice', () => {
  it('reads 0007 holders (no c) as holders without candidates', () => {
    expect(parseNotice(payload(null, { u: null, r: 'manager', e: null }))).toEqual({
      tenantId: TENANT.toLowerCase(),
      taskId: 'task-1',
      instanceId: 'instance-1',
      before: null,
      after: { u: null, r: 'manager', e: null, c: [] },
      unrouted: false,
    });
  });

  it('reads the candidate users of 0009', () => {
    const n = parseNotice(payload({ u: null, r: null, e: null, c: ['vic', 'val'] }, { u: null, r: null, e: null, c: ['vic', 'val'] }));
    expect(n?.before?.c).toEqual(['vic', 'val']);
    expect(n?.after?.c).toEqual(['vic', 'val']);
  });

  it('refuses candidates that are not a list of user ids', () => {
    expect(parseNotice(payload(null, { u: null, r: null, e: null, c: 'vic' }))).toBeNull();
    expect(parseNotice(payload(null, { u: null, r: null, e: null, c: ['vic', 7] }))).toBeNull();
    expect(parseNotice(payload(null, { u: null, r: null, e: null, c: [''] }))).toBeNull();
  });

  it('keeps an unrouted notification unrouted', () => {
    expect(parseNotice(JSON.stringify({ t: TENANT, k: 'task-1', i: 'instance-1', o: true }))?.unrouted).toBe(true);
  });
});

describe('holds', () => {
  const h = (over: Partial<{ u: string | null; r: string | null; e: string | null; c: string[] }>) => ({ u: null, r: null, e: null, c: [], ...over });

  it('names each candidate user of a quorum task, and nobody else by it', () => {
    const voters = h({ c: ['vic', 'val'] });
    expect(holds(actor('vic'), voters)).toBe(true);
    expect(holds(actor('val'), voters)).toBe(true);
    expect(holds(actor('vera', ['manager']), voters)).toBe(false);
  });

  it('an assigned user takes the task from its candidates, as the queue rule says', () => {
    expect(holds(actor('vic'), h({ u: 'una', c: ['vic'] }))).toBe(false);
    expect(holds(actor('una'), h({ u: 'una', c: ['vic'] }))).toBe(true);
  });

  it('keeps the user, role and escalation routes', () => {
    expect(holds(actor('mo', ['manager']), h({ r: 'manager' }))).toBe(true);
    expect(holds(actor('di', ['director']), h({ r: 'manager', e: 'director' }))).toBe(true);
    expect(holds(actor('al'), h({ u: 'al' }))).toBe(true);
    expect(holds(actor('al'), null)).toBe(false);
  });
});
