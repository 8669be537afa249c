/**
 * The column tables are the one list of each entity's columns: every field of the engine's types
 * has exactly one column, and what is derived from a table (the SELECT list, a recordset's type
 * list, the JSON per row) names the same columns in the same order.
 */
import { READY_EXECUTION_FIELDS, readyExecutionState, type ExecutionFields, type InstanceState } from '@wf/engine';
import { columns, pick, type ColumnTable } from './column-table';
import {
  EXECUTION_FIELDS,
  EXECUTION_INSERT_RECORD,
  EXECUTION_PATCH_RECORD,
  EXECUTION_STATE,
  EXECUTION_TABLE,
  insertExecutionsSql,
} from './execution-columns';
import { HISTORY_RECORD, HISTORY_VIEW } from './history-columns';
import { INSTANCE_START_RECORD, INSTANCE_STATE, INSTANCE_TABLE } from './instance-columns';
import { applyWriteSql } from './apply-plan';
import { insertOf, type InstanceWrite } from './instance-write';

const T0 = new Date('2026-01-01T00:00:00Z');

/** `a, b AS "c"` → [[column, field], …] */
function selected(select: string): [string, string][] {
  return select.split(', ').map((item) => {
    const m = /^(?:\w+\.)?(\w+)(?: AS "(\w+)")?$/.exec(item);
    if (!m) throw new Error(`not a select item: ${item}`);
    return [m[1]!, m[2] ?? m[1]!];
  });
}

/** `a text, b uuid` → [a, b] */
const recordColumns = (recordType: string) => recordType.split(', ').map((item) => item.split(' ')[0]);

const instanceState: InstanceState = {
  id: 'i',
  tenantId: 't',
  definitionId: 'd',
  status: 'running',
  contextData: { amount: 1 },
  startedBy: 'u',
  triggerType: 'manual',
  parentInstanceId: null,
  parentNodeExecutionId: null,
  depth: 0,
  openExecutions: 1,
  stepCount: 0,
  lastHistoryHash: null,
  slaDeadline: null,
  startedAt: T0,
};

describe('the node execution table', () => {
  it('has one column for every ExecutionFields field, and no other mutable column', () => {
    expect([...EXECUTION_FIELDS.keys].sort()).toEqual(Object.keys(READY_EXECUTION_FIELDS).sort());
  });

  it('names each column once', () => {
    const names = Object.values(EXECUTION_TABLE).map(([column]) => column);
    expect(new Set(names).size).toBe(names.length);
  });

  it('selects an ExecutionState, each column aliased to its field', () => {
    const state = readyExecutionState('i', { id: 'e', nodeId: 'a', nodeType: 'gateway', nodeName: 'A', status: 'ready', waitingFor: null, readyAt: T0 });
    const items = selected(EXECUTION_STATE.select);
    expect(items.map(([, field]) => field).sort()).toEqual(Object.keys(state).sort());
    expect(items).toContainEqual(['waiting_for', 'waitingFor']);
    expect(EXECUTION_STATE.select).toContain('waiting_for AS "waitingFor"');
    expect(EXECUTION_STATE.select).not.toContain('status AS');
  });

  it('writes a patch as JSON keyed by the recordset type list, in order', () => {
    const json = EXECUTION_PATCH_RECORD.record({ ...READY_EXECUTION_FIELDS, id: 'e', readyAt: null });
    expect(Object.keys(json)).toEqual(recordColumns(EXECUTION_PATCH_RECORD.recordType));
    expect(Object.keys(json)).toEqual(['id', 'ready_at', ...EXECUTION_FIELDS.names]);
  });

  it('writes a new execution as JSON keyed by the recordset type list, every field under its column', () => {
    const row = insertOf({ id: 'e', nodeId: 'a', nodeType: 'gateway', nodeName: 'A', status: 'waiting', waitingFor: 'join', readyAt: T0 });
    const json = EXECUTION_INSERT_RECORD.record(row);
    expect(Object.keys(json)).toEqual(recordColumns(EXECUTION_INSERT_RECORD.recordType));
    for (const key of EXECUTION_FIELDS.keys) expect(json[EXECUTION_TABLE[key][0]]).toBe(row[key]);
    expect(json).toMatchObject({ node_id: 'a', node_type: 'gateway', node_name: 'A', status: 'waiting', waiting_for: 'join', ready_at: T0 });
  });

  it('writes every field of a patch back in the plan statement, and inserts every column of a new one', () => {
    const write: InstanceWrite = {
      instanceId: '0a000000-0000-4000-8000-000000000001',
      status: 'running',
      contextData: {},
      completedAt: null,
      openDelta: 0,
      stepDelta: 1, slaPausedMsDelta: 0,
      lastHash: null,
      updates: [{ ...READY_EXECUTION_FIELDS, id: 'e1', readyAt: null }],
      inserts: [insertOf({ id: 'e2', nodeId: 'b', nodeType: 'gateway', nodeName: 'B', status: 'ready', waitingFor: null, readyAt: T0 })],
      cancelOthers: false,
      now: T0,
      history: [],
    };
    const { text, params } = applyWriteSql('0a000000-0000-4000-8000-00000000000a', write);
    for (const column of EXECUTION_FIELDS.names) expect(text).toContain(`${column} = x.${column}`);
    expect(text).toContain(`AS x(${EXECUTION_PATCH_RECORD.recordType})`);
    expect(text).toContain(insertExecutionsSql('$3::uuid', '$1::uuid', '$4'));
    const [patched] = JSON.parse(params[1] as string) as Record<string, unknown>[];
    expect(Object.keys(patched!)).toEqual(recordColumns(EXECUTION_PATCH_RECORD.recordType));
  });
});

describe('the instance table', () => {
  it('selects an InstanceState', () => {
    expect(selected(INSTANCE_STATE.select).map(([, field]) => field).sort()).toEqual(Object.keys(instanceState).sort());
    expect(INSTANCE_STATE.select).toContain('open_executions AS "openExecutions"');
  });

  it('names each column once', () => {
    const names = Object.values(INSTANCE_TABLE).map(([column]) => column);
    expect(new Set(names).size).toBe(names.length);
  });

  it('writes a start as JSON keyed by the record type list', () => {
    const json = INSTANCE_START_RECORD.record({
      ...instanceState,
      contextEntityType: null,
      contextEntityId: null,
      idempotencyKey: null,
      requestHash: null,
      rootInstanceId: null,
    });
    expect(Object.keys(json)).toEqual(recordColumns(INSTANCE_START_RECORD.recordType));
    expect(json).toMatchObject({ context_data: { amount: 1 }, open_executions: 1, started_at: T0 });
  });

  it('qualifies a picked SELECT list', () => {
    expect(columns(pick(INSTANCE_TABLE, ['id', 'definitionId']), 'i.').select).toBe('i.id, i.definition_id AS "definitionId"');
  });
});

describe('the history table', () => {
  it('reads what it writes, and the instance', () => {
    expect(HISTORY_VIEW.keys.filter((k) => k !== 'instanceId')).toEqual(HISTORY_RECORD.keys);
    const json = HISTORY_RECORD.record({ id: 'h', nodeExecutionId: null, eventType: 'node_started', actorUserId: null, details: {}, createdAt: T0, prevHash: null, hash: 'x' });
    expect(Object.keys(json)).toEqual(recordColumns(HISTORY_RECORD.recordType));
  });
});

// A table that misses or misspells a field does not compile (`npm run typecheck` checks these).
const { waitingFor: _dropped, ...withoutWaitingFor } = EXECUTION_FIELDS.table;
// @ts-expect-error `waitingFor` has no column
const _missing: ColumnTable<ExecutionFields> = withoutWaitingFor;
// @ts-expect-error `waitingfor` is not a field of ExecutionFields
const _misspelled: ColumnTable<ExecutionFields> = { ...EXECUTION_FIELDS.table, waitingfor: ['waiting_for', 'text'] };
