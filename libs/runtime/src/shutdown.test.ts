import { createLogger } from './logger';
import { closeWithin } from './shutdown';

const log = createLogger('silent');

describe('closeWithin', () => {
  it('closes every step in order and reports success', async () => {
    const order: string[] = [];
    const step = (name: string) => ({ name, close: async () => void order.push(name) });
    const exit = jest.fn();
    await expect(closeWithin([step('api'), step('worker'), step('runtime')], { log, deadlineMs: 1000, exit })).resolves.toBe(true);
    expect(order).toEqual(['api', 'worker', 'runtime']);
    expect(exit).not.toHaveBeenCalled();
  });

  it('goes on past a step that fails', async () => {
    const closed: string[] = [];
    const steps = [
      { name: 'broken', close: () => Promise.reject(new Error('boom')) },
      { name: 'next', close: async () => void closed.push('next') },
    ];
    await expect(closeWithin(steps, { log, deadlineMs: 1000, exit: jest.fn() })).resolves.toBe(true);
    expect(closed).toEqual(['next']);
  });

  it('exits with 1 at the deadline when a step hangs, and never reaches the steps after it', async () => {
    const exit = jest.fn();
    let reached = false;
    let release: () => void = () => undefined;
    const steps = [
      { name: 'hangs', close: () => new Promise<void>((r) => (release = r)) },
      { name: 'after', close: async () => void (reached = true) },
    ];
    const closing = closeWithin(steps, { log, deadlineMs: 50, exit });
    await new Promise((r) => setTimeout(r, 120));
    expect(exit).toHaveBeenCalledWith(1);
    release();
    await expect(closing).resolves.toBe(false);
    expect(reached).toBe(false);
  });
});
