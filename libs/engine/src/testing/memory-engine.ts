/**
 * The engine over in-memory ports, for unit tests of the use cases: the in-memory store, a queue
 * that holds jobs until `drain` runs them, a clock the test moves, and the events the use cases
 * emitted. Nothing here waits on real time.
 */

import { compileDefinition } from '../definition/compile-definition';

import type { CompiledDefinition } from '../definition/definition.types';
import type { DefinitionRecord, EnginePorts, SchemaChecks, Store, SweepSource, UseCaseSettings } from '../runtime/ports';
import type { NodeJob, SlaCheck } from '../runtime/model';
import type { ServiceHandler } from '../runtime/service-handler';
import type { EngineEvent } from '../use-cases/engine-events';
import { executeNode, type ExecuteResult } from '../use-cases/execute-node';
import { InMemoryStore } from './in-memory-store';

/** A clock that only moves when told to. */
class TestClock {
  private ms: number;

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.ms = start;
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Ids in uuid form, in order (so two runs of one test make the same ids). */
function sequentialIds(prefix = 0): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8${String(prefix).padStart(3, '0')}-${String(++n).padStart(12, '0')}`;
}

const TEST_SETTINGS: UseCaseSettings = {
  defaultSlaHours: 24,
  maxStepsPerInstance: 1000,
  maxSubworkflowDepth: 5,
  escalationEnabled: true,
  leaseMs: 30_000,
  maxInstancesPerTree: 100,
};

const NO_SCHEMA_CHECKS: SchemaChecks = { validateContext: () => undefined, validateForm: () => undefined };

/** What a test engine runs over: a Store, its sweeps, and a way to save a definition. */
export interface TestBackend {
  readonly store: Store;
  readonly sweeps: SweepSource;
  addDefinition(tenantId: string, compiled: CompiledDefinition): Promise<DefinitionRecord>;
}

export interface TestEngine {
  readonly ports: EnginePorts;
  readonly clock: TestClock;
  /** jobs dispatched and not yet run */
  readonly queued: NodeJob[];
  readonly slaChecks: SlaCheck[];
  readonly events: EngineEvent[];
  /** compile and store a definition in the tenant; returns its record */
  define(tenantId: string, input: unknown): Promise<DefinitionRecord>;
  /** run the first queued job only */
  step(opts?: { maxInlineSteps?: number }): Promise<ExecuteResult>;
  /** run queued jobs (and the jobs they queue) until none is left; returns every result */
  drain(opts?: { maxInlineSteps?: number; limit?: number }): Promise<ExecuteResult[]>;
}

export interface TestEngineOptions {
  readonly settings?: Partial<UseCaseSettings>;
  readonly handlers?: readonly ServiceHandler[];
  readonly schemas?: SchemaChecks;
  /** prefix of the generated ids, so two engines on one database make different ones */
  readonly idPrefix?: number;
}

/** The use cases' ports over `backend`, with a queue that holds jobs until `drain`. */
export function createTestEngine(backend: TestBackend, opts: TestEngineOptions = {}): TestEngine {
  const clock = new TestClock();
  const queued: NodeJob[] = [];
  const slaChecks: SlaCheck[] = [];
  const events: EngineEvent[] = [];
  const handlers = new Map((opts.handlers ?? []).map((h) => [h.type, h]));
  const ports: EnginePorts = {
    store: backend.store,
    dispatcher: {
      dispatch: async (jobs) => void queued.push(...jobs),
      scheduleSlaChecks: async (checks) => void slaChecks.push(...checks),
    },
    clock,
    newId: sequentialIds(opts.idPrefix),
    settings: { ...TEST_SETTINGS, ...opts.settings },
    handlers: { get: (type) => handlers.get(type), types: () => new Set(handlers.keys()) },
    leases: { track: () => async () => undefined },
    sweeps: backend.sweeps,
    schemas: opts.schemas ?? NO_SCHEMA_CHECKS,
    events: { emit: (event) => void events.push(event) },
  };
  return {
    ports,
    clock,
    queued,
    slaChecks,
    events,
    async define(tenantId, input) {
      const result = compileDefinition(input, handlers.size > 0 ? { serviceTypes: 'any', strict: true } : {});
      if (!result.ok) throw new Error(`invalid definition: ${JSON.stringify(result.problems)}`);
      return backend.addDefinition(tenantId, result.definition);
    },
    async step(o = {}) {
      const job = queued.shift();
      if (!job) throw new Error('no job is queued');
      return executeNode(ports, job, { attempt: 1, finalAttempt: true, ...(o.maxInlineSteps ? { maxInlineSteps: o.maxInlineSteps } : {}) });
    },
    async drain(o = {}) {
      const results: ExecuteResult[] = [];
      const limit = o.limit ?? 1000;
      for (let job = queued.shift(); job; job = queued.shift()) {
        if (results.length >= limit) throw new Error(`more than ${limit} jobs: a loop?`);
        results.push(await executeNode(ports, job, { attempt: 1, finalAttempt: true, ...(o.maxInlineSteps ? { maxInlineSteps: o.maxInlineSteps } : {}) }));
      }
      return results;
    },
  };
}

/** The engine over the in-memory store. */
export function createMemoryEngine(opts: TestEngineOptions = {}): TestEngine & { readonly store: InMemoryStore } {
  const store = new InMemoryStore();
  let definitions = 0;
  const engine = createTestEngine(
    {
      store,
      sweeps: store.sweeps,
      addDefinition: async (tenantId, compiled) =>
        store.addDefinition(tenantId, compiled, { id: `00000000-0000-4000-9000-${String(++definitions).padStart(12, '0')}` }),
    },
    opts,
  );
  return { ...engine, store };
}
