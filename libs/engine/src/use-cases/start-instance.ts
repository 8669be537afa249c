/**
 * The start use case, shared by the API, event triggers, cron triggers and sub-workflows: resolve
 * the definition, honour the idempotency key, check the context, write instance + first execution
 * + history. A sub-workflow's child is started by the same code on the parent's transaction.
 */

import { ConflictError, NotFoundError, TooLargeError, UnprocessableError } from '../errors/engine-errors';
import { MAX_CONTEXT_BYTES } from '../runtime/context-limits';
import type { InstanceSummary, JsonObject, TriggerType } from '../runtime/model';
import type { EnginePorts, StoreTx } from '../runtime/ports';
import { planStart } from '../runtime/plan-start';
import { planAt } from '../runtime/plan-at';
import { runInTenant, type Effects } from './effects';

export interface StartCommand {
  readonly workflowDefinitionId?: string;
  readonly workflowName?: string;
  readonly contextEntityType?: string | null;
  readonly contextEntityId?: string | null;
  readonly contextData?: JsonObject;
  readonly idempotencyKey?: string | null;
  readonly startedBy: string;
  readonly triggerType: TriggerType;
  /** a sub-workflow's child: its parent, and the root of its tree (whose count is taken) */
  readonly parent?: { readonly instanceId: string; readonly nodeExecutionId: string; readonly rootInstanceId: string; readonly depth: number };
}

export interface StartOutcome {
  readonly instance: InstanceSummary;
  /** false when the idempotency key matched an earlier start of the same request */
  readonly created: boolean;
}

export type StartPorts = Pick<EnginePorts, 'clock' | 'newId' | 'schemas'>;

export function assertContextSize(contextData: JsonObject | undefined): void {
  if (!contextData) return;
  const bytes = Buffer.byteLength(JSON.stringify(contextData));
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new TooLargeError('CONTEXT_TOO_LARGE', `contextData is ${bytes} bytes; the limit is ${MAX_CONTEXT_BYTES}`);
  }
}

/** The fields that identify a start: a key used again with other fields is refused. */
function identifyingFields(cmd: StartCommand): JsonObject {
  return {
    workflowDefinitionId: cmd.workflowDefinitionId ?? null,
    workflowName: cmd.workflowName ?? null,
    contextEntityType: cmd.contextEntityType ?? null,
    contextEntityId: cmd.contextEntityId ?? null,
    contextData: cmd.contextData ?? {},
  };
}

async function replay(tx: StoreTx, startedBy: string, key: string, request: JsonObject): Promise<StartOutcome | null> {
  const earlier = await tx.startedWithKey(startedBy, key, request);
  if (!earlier) return null;
  if (!earlier.sameRequest) throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body');
  return { instance: earlier.instance, created: false };
}

/** Start an instance in an open transaction; its first job goes out with the transaction's effects. */
export async function startInTransaction(ports: StartPorts, tx: StoreTx, effects: Effects, cmd: StartCommand): Promise<StartOutcome> {
  assertContextSize(cmd.contextData);
  const request = identifyingFields(cmd);
  const key = cmd.idempotencyKey ?? null;
  if (key) {
    const earlier = await replay(tx, cmd.startedBy, key, request);
    if (earlier) return earlier;
  }
  const def = await tx.definitionToStart(cmd.workflowDefinitionId ? { definitionId: cmd.workflowDefinitionId } : { workflowName: cmd.workflowName ?? '' });
  if (!def) {
    if (cmd.workflowDefinitionId) throw new NotFoundError('Workflow definition', cmd.workflowDefinitionId);
    throw new UnprocessableError('NO_ACTIVE_VERSION', `workflow "${cmd.workflowName}" has no active version`);
  }
  const name = def.compiled.name;
  if (!def.isActive) throw new UnprocessableError('DEFINITION_INACTIVE', `workflow definition ${def.id} (${name} v${def.version}) is not active`);
  const contextData = cmd.contextData ?? {};
  ports.schemas.validateContext(def.id, def.compiled.contextSchema, contextData);
  const plan = planStart(
    planAt(ports),
    def.compiled,
    {
      tenantId: effects.tenantId,
      definitionId: def.id,
      startedBy: cmd.startedBy,
      triggerType: cmd.triggerType,
      contextEntityType: cmd.contextEntityType ?? null,
      contextEntityId: cmd.contextEntityId ?? null,
      contextData,
      parentInstanceId: cmd.parent?.instanceId ?? null,
      parentNodeExecutionId: cmd.parent?.nodeExecutionId ?? null,
      depth: cmd.parent?.depth ?? 0,
    },
  );
  const inserted = await tx.insertStart(plan, { idempotencyKey: key, request, rootInstanceId: cmd.parent?.rootInstanceId ?? null });
  if (!inserted) {
    // a concurrent request with the same key won the insert
    const earlier = key ? await replay(tx, cmd.startedBy, key, request) : null;
    if (!earlier) throw new ConflictError('CONCURRENT_UPDATE', 'a concurrent start interfered; try again');
    return earlier;
  }
  effects.send(plan.enqueue);
  const i = plan.instance;
  effects.emit({ type: 'instance_started', tenantId: i.tenantId, instanceId: i.id, definitionId: def.id, triggerType: i.triggerType });
  return {
    created: true,
    instance: {
      id: i.id,
      status: i.status,
      definitionId: def.id,
      workflowName: name,
      workflowVersion: def.version,
      contextEntityType: i.contextEntityType,
      contextEntityId: i.contextEntityId,
      contextData: i.contextData,
      triggerType: i.triggerType,
      startedBy: i.startedBy,
      parentInstanceId: i.parentInstanceId,
      slaDeadline: i.slaDeadline,
      startedAt: i.startedAt,
      completedAt: null,
      cancelReason: null,
      slaPausedMs: 0,
    },
  };
}

/** Start an instance in its own transaction of `tenantId`. */
export async function startInstance(ports: EnginePorts, tenantId: string, cmd: StartCommand): Promise<StartOutcome> {
  return runInTenant(ports, tenantId, (tx, effects) => startInTransaction(ports, tx, effects, cmd));
}
