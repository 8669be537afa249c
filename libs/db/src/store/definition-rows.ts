import { compileDefinition, type DefinitionInput, type DefinitionRecord } from '@wf/engine';

export const DEFINITION_COLUMNS = `id, tenant_id, name, version, is_active, category, description, nodes, routes,
  triggers, context_schema, sla_hours, escalation_enabled, escalation_role, start_node_id, created_by, created_at, updated_at`;

export interface DefinitionRow {
  id: string;
  tenant_id: string;
  name: string;
  version: number;
  is_active: boolean;
  category: string | null;
  description: string | null;
  nodes: DefinitionInput['nodes'];
  routes: DefinitionInput['routes'];
  triggers: NonNullable<DefinitionInput['triggers']>;
  context_schema: Record<string, unknown> | null;
  sla_hours: number | null;
  escalation_enabled: boolean;
  escalation_role: string | null;
  start_node_id: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export function definitionInputOf(row: DefinitionRow): DefinitionInput {
  return {
    name: row.name,
    description: row.description,
    category: row.category,
    startNodeId: row.start_node_id,
    nodes: row.nodes,
    routes: row.routes,
    slaHours: row.sla_hours,
    escalationEnabled: row.escalation_enabled,
    escalationRole: row.escalation_role,
    triggers: row.triggers,
    contextSchema: row.context_schema,
  };
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
  return { id: row.id, tenantId: row.tenant_id, version: row.version, isActive: row.is_active, compiled: result.definition };
}
