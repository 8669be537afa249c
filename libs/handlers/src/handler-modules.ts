/**
 * Plugins: the modules named in WORKFLOW_HANDLER_MODULES. A plugin module exports either
 * `register(registry)` or `handlers: ServiceHandler[]` (or a default export of either); a handler
 * is `{ type, configSchema, execute }`.
 */

import { resolve } from 'node:path';
import type { HandlerLog } from './handler-log';
import { isServiceHandler, type HandlerRegistry } from './handler-registry';

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
export async function loadHandlerModules(registry: HandlerRegistry, modules: readonly string[], log: HandlerLog): Promise<void> {
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
            throw new TypeError(`handlers[${index}] needs a non-empty string \`type\`, an \`execute(call)\` function and, if any, a zod \`configSchema\``);
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
