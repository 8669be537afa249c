/**
 * Starting an instance, shared by the API, event triggers, cron triggers and sub-workflows:
 * resolve the definition, honour the idempotency key, write instance + first execution + history
 * in one statement. The caller dispatches `enqueue` after commit.
 */

import { createHash } from 'node:crypto';
import {
  ConflictError,
  MAX_CONTEXT_BYTES,
  NotFoundError,
  TooLargeError,
  UnprocessableError,
  planStart,
  type JsonObject,
  type NodeJob,
  type TriggerType,
} from '@wf/engine';
import {
  canonicalJson,
  findDefinition,
  findInstanceByIdempotencyKey,
  insertStartedInstance,
  latestActiveDefinition,
  type InstanceRowView,
  type PgTx,
} from '@wf/db';
import { FormValidator } from './form-validator';

/** Largest `contextData` accepted at start, as serialised JSON (documented in docs/reference.md, "Limits"). */
export { MAX_CONTEXT_BYTES };

export interface StartCommand {
  readonly workflowDefinitionId?: string;
  readonly workflowName?: string;
  readonly contextEntityType?: string | null;
  readonly contextEntityId?: string | null;
  readonly contextData?: JsonObject;
  readonly idempotencyKey?: string | null;
  /** a sub-workflow's child: the root of its tree (whose count the caller has taken) */
  readonly rootInstanceId?: string | null;
  readonly startedBy: string;
  readonly triggerType: TriggerType;
  readonly parentInstanceId?: string | null;
  readonly parentNodeExecutionId?: string | null;
  readonly depth?: number;
}

export interface StartOutcome {
  readonly instance: InstanceRowView;
  readonly created: boolean;
  readonly enqueue: readonly NodeJob[];
}

/** compiled context schemas, shared by every start in the process (definition ids are unique) */
const contextSchemas = new FormValidator();

export function assertContextSize(contextData: JsonObject | undefined): void {
  if (!contextData) return;
  const bytes = Buffer.byteLength(JSON.stringify(contextData));
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new TooLargeError('CONTEXT_TOO_LARGE', `contextData is ${bytes} bytes; the limit is ${MAX_CONTEXT_BYTES}`);
  }
}

function requestHash(cmd: StartCommand): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        workflowDefinitionId: cmd.workflowDefinitionId ?? null,
        workflowName: cmd.workflowName ?? null,
        contextEntityType: cmd.contextEntityType ?? null,
        contextEntityId: cmd.contextEntityId ?? null,
        contextData: cmd.contextData ?? {},
      }),
    )
    .digest('hex');
}

function replay(existing: InstanceRowView, hash: string): StartOutcome {
  if (existing.request_hash !== hash) {
    throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body');
  }
  return { instance: existing, created: false, enqueue: [] };
}

export async function startWorkflow(tx: PgTx, cmd: StartCommand, now: Date, newId: () => string): Promise<StartOutcome> {
  assertContextSize(cmd.contextData);
  const hash = requestHash(cmd);
  const key = cmd.idempotencyKey ?? null;
  if (key) {
    const existing = await findInstanceByIdempotencyKey(tx, cmd.startedBy, key);
    if (existing) return replay(existing, hash);
  }

  const row = cmd.workflowDefinitionId
    ? await findDefinition(tx, cmd.workflowDefinitionId)
    : await latestActiveDefinition(tx, cmd.workflowName ?? '');
  if (!row) {
    if (cmd.workflowDefinitionId) throw new NotFoundError('Workflow definition', cmd.workflowDefinitionId);
    throw new UnprocessableError('NO_ACTIVE_VERSION', `workflow "${cmd.workflowName}" has no active version`);
  }
  if (!row.is_active) {
    throw new UnprocessableError('DEFINITION_INACTIVE', `workflow definition ${row.id} (${row.name} v${row.version}) is not active`);
  }
  const def = tx.compiledFrom(row);
  contextSchemas.validateContext(row.id, def.compiled.contextSchema, cmd.contextData ?? {});
  const plan = planStart(
    def.compiled,
    {
      tenantId: tx.tenantId,
      definitionId: row.id,
      startedBy: cmd.startedBy,
      triggerType: cmd.triggerType,
      contextEntityType: cmd.contextEntityType ?? null,
      contextEntityId: cmd.contextEntityId ?? null,
      contextData: cmd.contextData ?? {},
      parentInstanceId: cmd.parentInstanceId ?? null,
      parentNodeExecutionId: cmd.parentNodeExecutionId ?? null,
      depth: cmd.depth ?? 0,
    },
    now,
    newId,
  );
  const insertedId = await insertStartedInstance(tx, { plan, idempotencyKey: key, requestHash: hash, rootInstanceId: cmd.rootInstanceId ?? null });
  if (!insertedId) {
    // a concurrent request with the same key won the insert
    const existing = key ? await findInstanceByIdempotencyKey(tx, cmd.startedBy, key) : null;
    if (!existing) throw new ConflictError('CONCURRENT_UPDATE', 'a concurrent start interfered; try again');
    return replay(existing, hash);
  }
  const i = plan.instance;
  return {
    created: true,
    enqueue: plan.enqueue,
    instance: {
      id: i.id,
      status: i.status,
      definition_id: row.id,
      workflow_name: row.name,
      workflow_version: row.version,
      context_entity_type: i.contextEntityType,
      context_entity_id: i.contextEntityId,
      context_data: i.contextData,
      trigger_type: i.triggerType,
      started_by: i.startedBy,
      parent_instance_id: i.parentInstanceId,
      sla_deadline: i.slaDeadline,
      started_at: i.startedAt,
      completed_at: null,
      request_hash: hash,
    },
  };
}
