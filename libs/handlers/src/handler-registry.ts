/**
 * The I/O service handlers a process can run: the built-ins plus plugins (see `handler-modules`).
 * It is the catalog definitions are compiled against (each handler's `configSchema`), and what the
 * engine's worker asks for a handler (bound: `execute` parses the stored config first).
 */

import { bindServiceHandler, isEngineServiceType, type ServiceHandler, type ServiceHandlers } from '@wf/engine';

/** `{ type, execute }` at least; a `configSchema`, when given, must be a zod schema. */
export function isServiceHandler(value: unknown): value is ServiceHandler<unknown> {
  const h = value as Partial<ServiceHandler<unknown>> | null;
  if (typeof h !== 'object' || h === null || typeof h.type !== 'string' || h.type === '' || typeof h.execute !== 'function') return false;
  return h.configSchema === undefined || typeof (h.configSchema as { safeParse?: unknown }).safeParse === 'function';
}

export class HandlerRegistry implements ServiceHandlers {
  private readonly handlers = new Map<string, ServiceHandler>();

  /**
   * Adds a handler. Throws for a second handler of a `type`, one of a type the engine runs itself
   * (`set_context`), one marked `runsInTransaction`, and anything that is not a handler.
   */
  register<C>(handler: ServiceHandler<C>): this {
    if (!isServiceHandler(handler)) {
      throw new TypeError('a service handler needs a non-empty string `type`, an `execute(call)` function and, if any, a zod `configSchema`');
    }
    if (isEngineServiceType(handler.type)) {
      throw new Error(`service type "${handler.type}" runs inside the engine and cannot have a handler`);
    }
    if ((handler as { runsInTransaction?: unknown }).runsInTransaction === true) {
      throw new Error(`service type "${handler.type}": only the engine's own handlers run in the step transaction; a registered one runs on a worker`);
    }
    if (this.handlers.has(handler.type)) {
      throw new Error(`a handler for service type "${handler.type}" is already registered`);
    }
    this.handlers.set(handler.type, bindServiceHandler(handler));
    return this;
  }

  get(type: string): ServiceHandler | undefined {
    return this.handlers.get(type);
  }

  types(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }
}
