import { compileDefinition, type DefinitionInput, type DefinitionRecord } from '@wf/engine';
import { columns, type ColumnTable } from './column-table';

/** A definition version as stored: the row type the SELECT list below returns. */
export interface DefinitionRow {
  id: string;
  tenantId: string;
  name: string;
  version: number;
  isActive: boolean;
  category: string | null;
  description: string | null;
  nodes: DefinitionInput['nodes'];
  routes: DefinitionInput['routes'];
  triggers: NonNullable<DefinitionInput['triggers']>;
  contextSchema: Record<string, unknown> | null;
  /** definition-wide settings beyond the guide's columns: `DEFINITION_POLICY_FIELDS` */
  policies: DefinitionPolicies;
  slaHours: number | null;
  escalationEnabled: boolean;
  escalationRole: string | null;
  startNodeId: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns of `workflow_definitions`, each written once (a new column goes here and in the migration). */
export const DEFINITION_TABLE = {
  id: ['id', 'uuid'],
  tenantId: ['tenant_id', 'uuid'],
  name: ['name', 'text'],
  version: ['version', 'integer'],
  isActive: ['is_active', 'boolean'],
  category: ['category', 'text'],
  description: ['description', 'text'],
  nodes: ['nodes', 'jsonb'],
  routes: ['routes', 'jsonb'],
  triggers: ['triggers', 'jsonb'],
  contextSchema: ['context_schema', 'jsonb'],
  policies: ['policies', 'jsonb'],
  slaHours: ['sla_hours', 'double precision'],
  escalationEnabled: ['escalation_enabled', 'boolean'],
  escalationRole: ['escalation_role', 'text'],
  startNodeId: ['start_node_id', 'text'],
  createdBy: ['created_by', 'text'],
  createdAt: ['created_at', 'timestamptz'],
  updatedAt: ['updated_at', 'timestamptz'],
} as const satisfies ColumnTable<DefinitionRow>;

/** The SELECT (and RETURNING) list: rows of `DefinitionRow`, camelCase. */
export const DEFINITION_COLUMNS = columns(DEFINITION_TABLE).select;

export function definitionInputOf(row: DefinitionRow): DefinitionInput {
  return {
    name: row.name,
    description: row.description,
    category: row.category,
    startNodeId: row.startNodeId,
    nodes: row.nodes,
    routes: row.routes,
    slaHours: row.slaHours,
    escalationEnabled: row.escalationEnabled,
    escalationRole: row.escalationRole,
    triggers: row.triggers,
    contextSchema: row.contextSchema,
    ...row.policies,
  };
}

/** The definition-level fields kept in the `policies` column. */
export const DEFINITION_POLICY_FIELDS = ['notStarter', 'distinctDeciders', 'managerRole', 'calendar'] as const;

export type DefinitionPolicies = Partial<Pick<DefinitionInput, (typeof DEFINITION_POLICY_FIELDS)[number]>>;

/** What of a definition's input goes into `policies`. */
export function policiesOf(input: DefinitionInput): DefinitionPolicies {
  return Object.fromEntries(DEFINITION_POLICY_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])) as DefinitionPolicies;
}

/** A stored row compiled again; it was valid when saved, so failing here is a bug. */
export function toDefinitionRecord(row: DefinitionRow): DefinitionRecord {
  // Stored definitions were checked when saved. Loading is lenient on purpose: no service-type list
  // (a plugin unloaded since stays loadable) and not strict (rows saved before the strict checks,
  // unknown fields or unbounded durations, still run; the runtime clamps what it must).
  const result = compileDefinition(definitionInputOf(row), { serviceTypes: 'any', strict: false });
  if (!result.ok) {
    throw new Error(`stored definition ${row.id} no longer compiles: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  return { id: row.id, tenantId: row.tenantId, version: row.version, isActive: row.isActive, compiled: result.definition };
}
