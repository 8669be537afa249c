/**
 * The service handlers a process can run: the built-ins plus plugins named in
 * WORKFLOW_HANDLER_MODULES. A plugin module exports either `register(registry)` or
 * `handlers: ServiceHandler[]` (or a default export of either).
 */

import { resolve } from 'node:path';
import type { Pool } from 'pg';
import type { ServiceHandler, ServiceHandlers } from '@wf/engine';
import type { Config } from '../config/config';
import type { Logger } from '../logger';
import { createDatabaseQueryHandler } from './database-query.handler';
import { createEmailSendHandler } from './email-send.handler';
import { createHttpCallHandler } from './http-call.handler';

/** Run by the engine inside the step transaction; a handler for it would never be called. */
const ENGINE_SERVICE_TYPES: ReadonlySet<string> = new Set(['set_context']);

function isServiceHandler(value: unknown): value is ServiceHandler {
  const h = value as Partial<ServiceHandler> | null;
  return typeof h === 'object' && h !== null && typeof h.type === 'string' && h.type !== '' && typeof h.execute === 'function';
}

export class HandlerRegistry implements ServiceHandlers {
  private readonly handlers = new Map<string, ServiceHandler>();

  /** Adds a handler; a second handler for the same `type` (or one for `set_context`) throws. */
  register(handler: ServiceHandler): this {
    if (!isServiceHandler(handler)) {
      throw new TypeError('a service handler needs a non-empty string `type` and an `execute(call)` function');
    }
    if (ENGINE_SERVICE_TYPES.has(handler.type)) {
      throw new Error(`service type "${handler.type}" runs inside the engine and cannot have a handler`);
    }
    if (this.handlers.has(handler.type)) {
      throw new Error(`a handler for service type "${handler.type}" is already registered`);
    }
    this.handlers.set(handler.type, handler);
    return this;
  }

  get(type: string): ServiceHandler | undefined {
    return this.handlers.get(type);
  }

  types(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }
}

type RegisterFn = (registry: HandlerRegistry) => unknown;

/** `register(registry)` or `handlers: [...]`, from named exports, a default export, or CJS interop. */
function pluginEntry(mod: unknown): { register: RegisterFn } | { handlers: unknown[] } | null {
  const asEntry = (value: unknown, isDefault: boolean) => {
    if (isDefault && typeof value === 'function') return { register: value as RegisterFn };
    if (isDefault && Array.isArray(value)) return { handlers: value as unknown[] };
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return null;
    const v = value as { register?: unknown; handlers?: unknown };
    if (typeof v.register === 'function') return { register: v.register as RegisterFn };
    if (Array.isArray(v.handlers)) return { handlers: v.handlers as unknown[] };
    return null;
  };
  const m = mod as { default?: unknown } | null;
  const inner = m?.default as { default?: unknown } | null | undefined;
  return asEntry(mod, false) ?? asEntry(m?.default, true) ?? asEntry(inner?.default, true);
}

/** `./` and `../` paths are taken from the working directory; anything else is a package name or an absolute path. */
function resolveSpecifier(specifier: string): string {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    return resolve(process.cwd(), specifier);
  }
  return specifier;
}

/**
 * Imports each plugin module (WORKFLOW_HANDLER_MODULES) and registers its handlers. Any module
 * that cannot be loaded, has the wrong shape, or clashes with a registered type throws an error
 * naming it, so the process refuses to start rather than run without a handler.
 */
export async function loadHandlerModules(registry: HandlerRegistry, modules: string[], log: Logger): Promise<void> {
  for (const specifier of modules) {
    const target = resolveSpecifier(specifier);
    let mod: unknown;
    try {
      mod = await import(target);
    } catch (err) {
      throw new Error(`handler module "${specifier}" could not be loaded: ${(err as Error).message}`, { cause: err });
    }
    const entry = pluginEntry(mod);
    if (!entry) {
      throw new Error(
        `handler module "${specifier}" must export register(registry) or handlers: ServiceHandler[] (or a default export of either)`,
      );
    }
    const before = registry.types();
    try {
      if ('register' in entry) {
        await entry.register(registry);
      } else {
        entry.handlers.forEach((handler, index) => {
          if (!isServiceHandler(handler)) {
            throw new TypeError(`handlers[${index}] needs a non-empty string \`type\` and an \`execute(call)\` function`);
          }
          registry.register(handler);
        });
      }
    } catch (err) {
      throw new Error(`handler module "${specifier}": ${(err as Error).message}`, { cause: err });
    }
    const added = [...registry.types()].filter((type) => !before.has(type));
    log.info({ module: specifier, serviceTypes: added }, 'handler module loaded');
  }
}

export interface BuiltInHandlersOptions {
  config: Config;
  /** the pool of the query login, for database_query */
  queryPool: Pool;
  log: Logger;
}

/** `http_call`, `email_send` and `database_query` (`set_context` runs inside the engine). */
export function createBuiltInHandlers(opts: BuiltInHandlersOptions): HandlerRegistry {
  const { config, queryPool, log } = opts;
  return new HandlerRegistry()
    .register(createHttpCallHandler({ allowedHosts: config.httpCallAllowedHosts, log: log.child({ serviceType: 'http_call' }) }))
    .register(
      createEmailSendHandler({
        smtpUrl: config.smtpUrl,
        defaultFrom: config.smtpFrom,
        allowedFrom: config.smtpAllowedFrom,
        log: log.child({ serviceType: 'email_send' }),
      }),
    )
    .register(createDatabaseQueryHandler({ pool: queryPool, statementTimeoutMs: config.dbStatementTimeoutMs, maxRows: config.queryMaxRows }));
}
