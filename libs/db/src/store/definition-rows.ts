import { compileDefinition, type DefinitionInput, type DefinitionRecord } from '@wf/engine';

export const DEFINITION_COLUMNS = `id, tenant_id, name, version, is_active, category, description, nodes, routes,
  triggers, sla_hours, escalation_enabled, escalation_role, start_node_id, created_by, created_at, updated_at`;

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
  };
}

/** A stored row compiled again; it was valid when saved, so failing here is a bug. */
export function toDefinitionRecord(row: DefinitionRow): DefinitionRecord {
  // Stored definitions were validated on save; no service-type list here so plugins stay valid.
  const result = compileDefinition(definitionInputOf(row), { serviceTypes: 'any' });
  if (!result.ok) {
    throw new Error(`stored definition ${row.id} no longer compiles: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  return { id: row.id, tenantId: row.tenant_id, version: row.version, isActive: row.is_active, compiled: result.definition };
}
