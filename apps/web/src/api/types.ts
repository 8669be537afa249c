/** Shapes of the API's answers that several pages read (response-schemas.ts in libs/http is the source). */

/** One entry of an instance's history (`GET /api/instances/:id/history`). */
export interface HistoryItemDto {
  readonly id: string;
  readonly eventType: string;
  readonly nodeExecutionId: string | null;
  readonly actorUserId: string | null;
  readonly details: unknown;
  readonly createdAt: string;
}

/** An instance as the lists show it (`GET /api/instances`). */
export interface InstanceSummaryDto {
  readonly id: string;
  readonly status: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly completedAt: string | null;
}

/** A definition version as the lists show it (`GET /api/definitions`). */
export interface DefinitionSummaryDto {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly isActive: boolean;
  readonly category: string | null;
  readonly description: string | null;
}
