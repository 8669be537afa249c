import type { DefinitionSummaryDto } from '../../api/types';

/** A definition version as GET /api/definitions(/:id) answers it (libs/http/src/response-schemas.ts). */

interface DefinitionNodeDto {
  readonly id: string;
  readonly nodeType: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

interface DefinitionRouteDto {
  readonly fromNodeId: string;
  readonly toNodeId: string;
  readonly condition?: string;
}

export interface DefinitionDto extends DefinitionSummaryDto {
  readonly startNodeId: string;
  readonly nodes: readonly DefinitionNodeDto[];
  readonly routes: readonly DefinitionRouteDto[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly [field: string]: unknown;
}

export interface PageDto<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** What the server adds to a version: left out of the JSON a person edits into the next one. */
const SERVER_FIELDS = ['id', 'version', 'isActive', 'createdBy', 'createdAt', 'updatedAt'];

/** A version as the body of POST /api/definitions (the next version of the same workflow). */
export function editableJson(def: DefinitionDto): string {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(def)) if (!SERVER_FIELDS.includes(key)) body[key] = value;
  return JSON.stringify(body, null, 2);
}
