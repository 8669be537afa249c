import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ServiceHandler } from '@wf/engine';
import type { HandlerLog } from './handler-log';
import { loadHandlerModules } from './handler-modules';
import { HandlerRegistry } from './handler-registry';

const log: HandlerLog = { debug() {}, info() {}, warn() {} };
const noop = (type: string): ServiceHandler => ({ type, execute: async () => ({}) });

describe('HandlerRegistry', () => {
  it('registers, finds and lists handlers', () => {
    const registry = new HandlerRegistry().register(noop('crm_sync')).register(noop('erp_post'));
    expect(registry.get('crm_sync')?.type).toBe('crm_sync');
    expect(registry.get('missing')).toBeUndefined();
    expect([...registry.types()].sort()).toEqual(['crm_sync', 'erp_post']);
  });

  it('refuses a second handler for a type, set_context, and things that are not handlers', () => {
    const registry = new HandlerRegistry().register(noop('crm_sync'));
    expect(() => registry.register(noop('crm_sync'))).toThrow('a handler for service type "crm_sync" is already registered');
    expect(() => registry.register(noop('set_context'))).toThrow(/runs inside the engine/);
    expect(() => registry.register({ type: 'x' } as unknown as ServiceHandler)).toThrow(/execute/);
  });
});

describe('loadHandlerModules', () => {
  let dir: string;
  const write = (name: string, source: string): string => {
    const file = join(dir, name);
    writeFileSync(file, source);
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wf-handlers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts `handlers`, `register` and a default export of either', async () => {
    const files = [
      write('list.js', `exports.handlers = [{ type: 'crm_sync', execute: async () => ({}) }];`),
      write('register.js', `exports.register = async (registry) => { registry.register({ type: 'erp_post', execute: async () => ({}) }); };`),
      write('default-fn.js', `Object.defineProperty(exports, '__esModule', { value: true }); exports.default = (r) => r.register({ type: 'slack', execute: async () => ({}) });`),
      write('default-obj.js', `module.exports = { handlers: [{ type: 'sms', execute: async () => ({}) }] };`),
    ];
    const registry = new HandlerRegistry();
    // a relative specifier is taken from the working directory
    await loadHandlerModules(registry, [`./${relative(process.cwd(), files[0] as string)}`, ...files.slice(1)], log);
    expect([...registry.types()].sort()).toEqual(['crm_sync', 'erp_post', 'slack', 'sms']);
  });

  it('names the module that has the wrong shape', async () => {
    const file = write('wrong.js', `exports.something = 1;`);
    await expect(loadHandlerModules(new HandlerRegistry(), [file], log)).rejects.toThrow(
      `handler module "${file}" must export register(registry) or handlers: ServiceHandler[] (or a default export of either)`,
    );
  });

  it('names the module that cannot be loaded, or whose handler is invalid or taken', async () => {
    await expect(loadHandlerModules(new HandlerRegistry(), ['./no/such/plugin.js'], log)).rejects.toThrow(
      /handler module "\.\/no\/such\/plugin\.js" could not be loaded/,
    );
    const bad = write('bad-handler.js', `exports.handlers = [{ type: '', execute: 1 }];`);
    await expect(loadHandlerModules(new HandlerRegistry(), [bad], log)).rejects.toThrow(`handler module "${bad}": handlers[0] needs`);
    const clash = write('clash.js', `exports.handlers = [{ type: 'http_call', execute: async () => ({}) }];`);
    const registry = new HandlerRegistry().register(noop('http_call'));
    await expect(loadHandlerModules(registry, [clash], log)).rejects.toThrow(`handler module "${clash}": a handler for service type "http_call" is already registered`);
  });
});
