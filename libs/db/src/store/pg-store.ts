/**
 * The engine's Store over Postgres. Every unit of work is one transaction that first becomes the
 * non-owner role `workflow_app` with the tenant set (so RLS holds whatever user connected), and
 * whose settings die with it (so a pooled connection never carries one tenant into another's work).
 */

import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type {
  Actor,
  DefinitionRecord,
  BusinessCalendar,
  DeputyWindow,
  DurationSample,
  NewMessage,
  PastDecision,
  ReceivedMessage,
  StoredMessage,
  ExecutionState,
  ExecutionStatus,
  InstanceView,
  JsonObject,
  OpenExecution,
  InstanceState,
  Plan,
  StartPlan,
  StepSnapshot,
  Store,
  StoreTx,
} from '@wf/engine';
import { DefinitionCache } from './definition-cache';
import { DEFINITION_COLUMNS, toDefinitionRecord, type DefinitionRow } from './definition-rows';
import { checkout } from './pg-checkout';
import { sqlLiteralList } from './sql-literals';
import { translatePgError } from './pg-errors';
import { columns, pick, type RowOf } from './column-table';
import { EXECUTION_STATE, EXECUTION_TABLE } from './execution-columns';
import { INSTANCE_STATE, INSTANCE_TABLE } from './instance-columns';
import { isUuid, requestHashOf, uuidLiteral } from './sql-values';
import { hashHistory } from './history-rows';
import { activeDeputyWindows } from '../repositories/deputies.repository';
import { findCalendars } from '../repositories/calendars.repository';
import { deliveredMessage, lockCorrelation, messageById, storeMessage, takeBufferedMessage, waitingReceivers } from '../repositories/messages.repository';
import { compiledCalendar } from './calendar-cache';
import { participationSql } from './participation-sql';
import { applyWriteSql } from './apply-plan';
import { foldAll, writeOfPlan, type InstanceWrite } from './instance-write';
import { countTreeInstance, findInstanceByIdempotencyKey, findVisibleInstance, insertStartedInstance, recordCancelReason } from '../repositories/instances.repository';
import { definitionsListeningFor, findDefinition, latestActiveDefinition } from '../repositories/definitions.repository';

export interface PgStoreOptions {
  /** TASK_QUEUE_URGENT_THRESHOLD_HOURS, read by v_user_task_queue */
  readonly urgentThresholdHours: number;
}

export class PgStore implements Store {
  readonly definitions = new DefinitionCache();

  constructor(
    readonly pool: Pool,
    private readonly options: PgStoreOptions,
  ) {}

  async inTenant<T>(tenantId: string, work: (tx: PgTx) => Promise<T>): Promise<T> {
    if (!isUuid(tenantId)) throw new TypeError(`tenant id is not a uuid: ${tenantId}`);
    const conn = await checkout(this.pool);
    const tx = new PgTx(conn.client, tenantId, this.options.urgentThresholdHours, this.definitions);
    let broken: Error | undefined;
    try {
      const result = await work(tx);
      await tx.commit();
      return result;
    } catch (err) {
      broken = await tx.rollback();
      throw translatePgError(err);
    } finally {
      conn.release(broken);
    }
  }
}

/** One tenant-scoped transaction; BEGIN and the settings ride along with its first statement. */
export class PgTx implements StoreTx {
  private prelude: string | null;
  /**
   * Writes held back to travel with COMMIT: plans (consecutive ones folded into one statement per
   * instance) and statements whose result nobody reads.
   */
  private pending: (InstanceWrite | Statement)[] = [];
  /** a multi-statement round trip with PREPAREs failed: which of them exist is unknown */
  private preparedStateUnknown = false;

  constructor(
    private readonly client: PoolClient,
    readonly tenantId: string,
    urgentThresholdHours: number,
    private readonly cache: DefinitionCache,
  ) {
    this.prelude =
      `BEGIN; SELECT set_config('role', 'workflow_app', true), ` +
      `set_config('app.current_tenant', ${uuidLiteral(tenantId)}, true), ` +
      `set_config('app.urgent_threshold_hours', '${Number(urgentThresholdHours)}', true)`;
  }

  /** A parameterised statement. */
  async query<R extends object = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<QueryResult<R>> {
    await this.flushPending();
    await this.begin();
    return this.client.query<R>(text, params);
  }

  /** BEGIN and the settings, on their own, when a parameterised statement comes first. */
  private async begin(): Promise<void> {
    if (!this.prelude) return;
    await this.client.query(this.prelude);
    this.prelude = null;
  }

  /** A statement after held-back plans must see their writes: send the plans first. */
  private async flushPending(): Promise<void> {
    await this.sendEach(this.takePending());
  }

  private async sendEach(statements: readonly Statement[]): Promise<void> {
    for (const st of statements) await this.prepared(st.text, st.params);
  }

  private takePending(): Statement[] {
    const out: Statement[] = [];
    let run: InstanceWrite[] = [];
    const endRun = () => {
      for (const w of foldAll(run)) out.push(applyWriteSql(this.tenantId, w));
      run = [];
    };
    for (const p of this.pending) {
      if ('instanceId' in p) {
        run.push(p);
      } else {
        endRun();
        out.push(p);
      }
    }
    endRun();
    this.pending = [];
    return out;
  }

  /**
   * A statement on the hot path: prepared once per connection at the SQL level and executed with
   * literal parameters, so BEGIN and the settings ride along in the same round trip and Postgres
   * plans it once. Falls back to binding when a parameter cannot be a literal.
   */
  async hot<R extends object = Record<string, unknown>>(text: string, params: unknown[]): Promise<QueryResult<R>> {
    const literals = sqlLiteralList(params);
    if (literals === null) return this.query<R>(text, params);
    const st = { name: preparedName('wfs', text), text };
    const [result] = await this.simple(`EXECUTE ${st.name}(${literals})`, [st]);
    return result as QueryResult<R>;
  }

  /** A write whose result nobody reads: held back to travel with COMMIT (reads still see it). */
  defer(text: string, params: unknown[]): void {
    this.pending.push({ text, params });
  }

  /**
   * A hot statement as a named prepared statement: each connection parses and plans it once
   * and then only binds. The name derives from the text, so one name never means two statements.
   */
  private async prepared(text: string, params: unknown[]): Promise<void> {
    await this.begin();
    await this.client.query({ name: preparedName('wfx', text), text, values: params });
  }

  /**
   * Statements without parameters (only validated literals), sent with BEGIN when it is pending.
   * `text` may EXECUTE the SQL-level prepared statements listed in `uses`: those this connection
   * has not prepared yet are PREPAREd in the same round trip, before `text`. Returns the results
   * of `text` alone.
   */
  private async simple(text: string, uses: readonly SqlStatement[] = []): Promise<QueryResult[]> {
    await this.flushPending();
    const known = preparedOn(this.client);
    const missing = uses.filter((st) => !known.has(st.name));
    // prepared after the prelude, as workflow_app: the role RLS plans them for
    const head = [...(this.prelude ? [this.prelude] : []), ...missing.map((st) => `PREPARE ${st.name} AS ${st.text}`)];
    // the prelude is two statements: BEGIN and the set_config SELECT
    const skip = missing.length + (this.prelude ? 2 : 0);
    this.prelude = null;
    let results: QueryResult | QueryResult[];
    try {
      results = (await this.client.query(head.length > 0 ? `${head.join('; ')}; ${text}` : text)) as unknown as QueryResult | QueryResult[];
    } catch (err) {
      if (missing.length > 0) this.preparedStateUnknown = true;
      throw err;
    }
    for (const st of missing) known.add(st.name);
    const list = Array.isArray(results) ? results : [results];
    return list.slice(skip);
  }

  async commit(): Promise<void> {
    const pending = this.takePending();
    if (pending.length > 0) {
      // the writes and COMMIT in one round trip: EXECUTEs of statements this connection prepared
      const literals = pending.map((st) => sqlLiteralList(st.params));
      if (literals.every((l) => l !== null)) {
        const statements = pending.map((st) => ({ name: preparedName('wfs', st.text), text: st.text }));
        const unique = [...new Map(statements.map((st) => [st.name, st])).values()];
        await this.simple(`${statements.map((st, i) => `EXECUTE ${st.name}(${literals[i]!}); `).join('')}COMMIT`, unique);
        return;
      }
      await this.sendEach(pending);
    }
    if (this.prelude) return; // nothing was sent
    await this.client.query('COMMIT');
  }

  /** Roll back; returns an error when the connection itself is broken and must be discarded. */
  async rollback(): Promise<Error | undefined> {
    this.pending = [];
    if (this.preparedStateUnknown) return new Error('prepared statements of this connection are in an unknown state');
    if (this.prelude) return undefined;
    try {
      await this.client.query('ROLLBACK');
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  async lockStep(instanceId: string, executionId: string): Promise<StepSnapshot | null> {
    if (!isUuid(instanceId) || !isUuid(executionId)) return null;
    const [inst, exec] = await this.simple(
      `EXECUTE ${LOCK_INSTANCE.name}(${uuidLiteral(instanceId)}); ` +
        `EXECUTE ${LOCK_EXECUTION.name}(${uuidLiteral(executionId)}, ${uuidLiteral(instanceId)})`,
      [LOCK_INSTANCE, LOCK_EXECUTION],
    );
    return snapshot(inst, exec);
  }

  async lockTask(taskId: string): Promise<StepSnapshot | null> {
    if (!isUuid(taskId)) return null;
    const t = uuidLiteral(taskId);
    const [inst, exec] = await this.simple(
      `SELECT ${INSTANCE_STATE.select} FROM workflow_instances ` +
        `WHERE id = (SELECT instance_id FROM workflow_instance_nodes WHERE id = ${t}) FOR UPDATE; ` +
        `SELECT ${EXECUTION_STATE.select} FROM workflow_instance_nodes WHERE id = ${t} FOR UPDATE`,
    );
    return snapshot(inst, exec);
  }

  async readTask(taskId: string): Promise<StepSnapshot | null> {
    if (!isUuid(taskId)) return null;
    const t = uuidLiteral(taskId);
    const [inst, exec] = await this.simple(
      `SELECT ${INSTANCE_STATE.select} FROM workflow_instances ` +
        `WHERE id = (SELECT instance_id FROM workflow_instance_nodes WHERE id = ${t}); ` +
        `SELECT ${EXECUTION_STATE.select} FROM workflow_instance_nodes WHERE id = ${t}`,
    );
    return snapshot(inst, exec);
  }

  /** Lock an instance row for an operator action; null when missing. */
  async lockInstance(instanceId: string): Promise<InstanceState | null> {
    if (!isUuid(instanceId)) return null;
    const [inst] = await this.simple(`SELECT ${INSTANCE_STATE.select} FROM workflow_instances WHERE id = ${uuidLiteral(instanceId)} FOR UPDATE`);
    return (inst?.rows[0] as InstanceState | undefined) ?? null;
  }

  async executionsWithStatus(instanceId: string, status: ExecutionStatus): Promise<ExecutionState[]> {
    const r = await this.query<ExecutionState>(
      `SELECT ${EXECUTION_STATE.select} FROM workflow_instance_nodes WHERE instance_id = $1 AND status = $2 ORDER BY seq`,
      [instanceId, status],
    );
    return r.rows;
  }

  async openExecutions(instanceId: string): Promise<OpenExecution[]> {
    const r = await this.query<RowOf<typeof OPEN_EXECUTION>>(
      `SELECT ${OPEN_EXECUTION.select} FROM workflow_instance_nodes
       WHERE instance_id = $1 AND status IN ('ready', 'running', 'waiting')`,
      [instanceId],
    );
    return r.rows;
  }

  async childOf(executionId: string): Promise<{ id: string; status: InstanceState['status']; contextData: JsonObject } | null> {
    const r = await this.query<RowOf<typeof CHILD>>(
      `SELECT ${CHILD.select} FROM workflow_instances WHERE parent_node_execution_id = $1
       ORDER BY started_at DESC LIMIT 1`,
      [executionId],
    );
    return r.rows[0] ?? null;
  }

  /** Running child instances of an instance (cancel closes them with their parent). */
  async runningChildren(instanceId: string): Promise<string[]> {
    const r = await this.query<{ id: string }>(
      `SELECT id FROM workflow_instances WHERE parent_instance_id = $1 AND status = 'running'`,
      [instanceId],
    );
    return r.rows.map((row) => row.id);
  }

  async participates(instanceId: string, actor: Actor): Promise<boolean> {
    const r = await this.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM workflow_instances i WHERE i.id = $1 AND ${participationSql('$2', '$3')}) AS ok`,
      [instanceId, actor.userId, actor.roles],
    );
    return r.rows[0]?.ok === true;
  }

  async decisions(instanceId: string): Promise<PastDecision[]> {
    const r = await this.query<PastDecision>(
      `SELECT id AS "executionId", node_id AS "nodeId", decision, decided_by AS "decidedBy", on_behalf_of AS "onBehalfOf", votes
       FROM workflow_instance_nodes WHERE instance_id = $1 AND (decided_by IS NOT NULL OR votes <> '[]') ORDER BY seq`,
      [instanceId],
    );
    return r.rows;
  }

  deputyWindows(at: Date): Promise<DeputyWindow[]> {
    return activeDeputyWindows(this, at);
  }

  async calendars(names: readonly string[]): Promise<ReadonlyMap<string, BusinessCalendar>> {
    if (names.length === 0) return new Map();
    const rows = await findCalendars(this, names);
    return new Map(rows.map((row) => [row.name, compiledCalendar(this.tenantId, row)]));
  }

  lockCorrelation(messageName: string, correlationKey: string): Promise<void> {
    return lockCorrelation(this, messageName, correlationKey);
  }

  takeBufferedMessage(messageName: string, correlationKey: string, executionId: string, now: Date): Promise<ReceivedMessage | null> {
    return takeBufferedMessage(this, messageName, correlationKey, executionId, now);
  }

  deliveredMessage(executionId: string): Promise<ReceivedMessage | null> {
    return deliveredMessage(this, executionId);
  }

  waitingReceivers(messageName: string, correlationKey: string, limit: number): Promise<{ instanceId: string; executionId: string }[]> {
    return waitingReceivers(this, messageName, correlationKey, limit);
  }

  storeMessage(message: NewMessage): Promise<string | null> {
    return storeMessage(this, message);
  }

  messageById(messageId: string): Promise<StoredMessage | null> {
    return messageById(this, messageId);
  }

  async durationSamples(workflowName: string, nodeId: string, limit: number): Promise<DurationSample[]> {
    // a round sent back is not a finish: it would make rework look fast
    const r = await this.query<DurationSample>(
      `SELECT n.started_at AS "startedAt", n.completed_at AS "completedAt"
       FROM workflow_instance_nodes n
       JOIN workflow_instances i ON i.id = n.instance_id
       JOIN workflow_definitions d ON d.id = i.definition_id
       WHERE n.node_id = $2 AND n.status = 'completed' AND n.node_type IN ('approval', 'user_task')
         AND n.decision IS DISTINCT FROM 'returned' AND n.started_at IS NOT NULL AND d.name = $1
       ORDER BY n.completed_at DESC LIMIT $3`,
      [workflowName, nodeId, limit],
    );
    return r.rows;
  }

  async definition(definitionId: string): Promise<DefinitionRecord | null> {
    const cached = this.cache.get(this.tenantId, definitionId);
    if (cached) return cached;
    if (!isUuid(definitionId)) return null;
    const r = await this.query<DefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM workflow_definitions WHERE id = $1`, [definitionId]);
    const row = r.rows[0];
    if (!row) return null;
    const record = toDefinitionRecord(row);
    this.cache.set(record);
    return record;
  }

  /**
   * The record of a definition row just read, compiled once per version: versions are immutable,
   * so the cache serves the compiled form (the caller reads `is_active` from the fresh row).
   */
  compiledFrom(row: DefinitionRow): DefinitionRecord {
    const cached = this.cache.get(this.tenantId, row.id);
    if (cached) return cached;
    const record = toDefinitionRecord(row);
    this.cache.set(record);
    return record;
  }

  async apply(plan: Plan, instance: InstanceState): Promise<{ lastHistoryHash: string | null }> {
    const { rows, lastHash } = hashHistory(instance.id, instance.lastHistoryHash, plan.history, plan.now);
    // held back until commit (or the next statement), so it can travel with COMMIT
    this.pending.push(writeOfPlan(plan, rows, lastHash));
    return { lastHistoryHash: lastHash };
  }

  visibleInstance(actor: Actor, instanceId: string): Promise<InstanceView | null> {
    return findVisibleInstance(this, actor, instanceId);
  }

  recordCancelReason(instanceId: string, reason: string): Promise<void> {
    return recordCancelReason(this, instanceId, reason);
  }

  async definitionToStart(ref: { definitionId: string } | { workflowName: string }): Promise<DefinitionRecord | null> {
    const row = 'definitionId' in ref ? await findDefinition(this, ref.definitionId) : await latestActiveDefinition(this, ref.workflowName);
    // the compiled form may come from the cache; whether it is active, never
    return row ? { ...this.compiledFrom(row), isActive: row.isActive } : null;
  }

  async startedWithKey(startedBy: string, key: string, request: JsonObject): Promise<{ instance: InstanceView; sameRequest: boolean } | null> {
    const found = await findInstanceByIdempotencyKey(this, startedBy, key);
    return found && { instance: found.instance, sameRequest: found.requestHash === requestHashOf(request) };
  }

  async insertStart(plan: StartPlan, rec: { idempotencyKey: string | null; request: JsonObject; rootInstanceId: string | null }): Promise<boolean> {
    const id = await insertStartedInstance(this, { plan, idempotencyKey: rec.idempotencyKey, requestHash: requestHashOf(rec.request), rootInstanceId: rec.rootInstanceId });
    return id !== null;
  }

  countTreeInstance(parentId: string, limit: number): Promise<string | null> {
    return countTreeInstance(this, parentId, limit);
  }

  definitionsListeningFor(eventType: string): Promise<string[]> {
    return definitionsListeningFor(this, eventType);
  }
}

// A plan's statement takes one of a few shapes (which CTEs it needs), so this stays small. The
// name derives from the text, so one name never means two statements; the prefix keeps statements
// prepared in the protocol (wfx) apart from SQL-level PREPAREs (wfs), which share one namespace.
const preparedNames = new Map<string, string>();
function preparedName(prefix: 'wfx' | 'wfs', text: string): string {
  const key = `${prefix}|${text}`;
  let name = preparedNames.get(key);
  if (!name) {
    name = `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(key, name);
  }
  return name;
}

interface SqlStatement {
  readonly name: string;
  readonly text: string;
}

interface Statement {
  readonly text: string;
  readonly params: unknown[];
}

/** SQL-level prepared statements live as long as the session, whatever happens to transactions. */
const preparedByConnection = new WeakMap<PoolClient, Set<string>>();
function preparedOn(client: PoolClient): Set<string> {
  let names = preparedByConnection.get(client);
  if (!names) {
    names = new Set();
    preparedByConnection.set(client, names);
  }
  return names;
}

const OPEN_EXECUTION = columns(pick(EXECUTION_TABLE, ['id', 'nodeId', 'status', 'waitingFor']));
const CHILD = columns(pick(INSTANCE_TABLE, ['id', 'status', 'contextData']));

const LOCK_INSTANCE: SqlStatement = {
  name: 'wfs_lock_instance',
  text: `SELECT ${INSTANCE_STATE.select} FROM workflow_instances WHERE id = $1::uuid FOR UPDATE`,
};
// after the instance lock, in its own statement: a fresh snapshot (READ COMMITTED) sees whatever
// the previous holder of the lock committed
const LOCK_EXECUTION: SqlStatement = {
  name: 'wfs_lock_execution',
  text: `SELECT ${EXECUTION_STATE.select} FROM workflow_instance_nodes WHERE id = $1::uuid AND instance_id = $2::uuid FOR UPDATE`,
};

function snapshot(inst: QueryResult | undefined, exec: QueryResult | undefined): StepSnapshot | null {
  const instance = inst?.rows[0] as InstanceState | undefined;
  const execution = exec?.rows[0] as ExecutionState | undefined;
  return instance && execution ? { instance, execution } : null;
}
