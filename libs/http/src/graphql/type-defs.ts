/**
 * The GraphQL schema, written once as SDL (printed to docs/schema.graphql by `npm run
 * graphql:schema`). Names follow the deployment guide's documents and the REST contract (API.md):
 * every field here is a REST field of the same name and meaning, and every value (statuses,
 * urgency levels, node types) is the REST value, as a String.
 *
 * Inputs are deliberately permissive where the engine judges them: a definition's fields are all
 * optional, and `serviceConfig` is any JSON, so that a definition with problems reaches the
 * engine's compiler and comes back as `INVALID_DEFINITION` listing every problem with its path,
 * exactly as `POST /api/definitions` answers, instead of as a GraphQL validation error.
 */

export const typeDefs = /* GraphQL */ `
scalar JSON
scalar JSONObject
scalar DateTime

type Query {
  """
  Workflow definitions of your tenant, newest first (REST: GET /api/definitions): the first
  \`limit\` (default 100, at most 500) of them. \`workflowDefinitionsPage\` pages on with a cursor.
  """
  workflowDefinitions(isActive: Boolean, name: String, category: String, limit: Int): [WorkflowDefinition!]

  """The same list, one page at a time: pass the previous page's \`nextCursor\` as \`cursor\`."""
  workflowDefinitionsPage(isActive: Boolean, name: String, category: String, limit: Int, cursor: String): WorkflowDefinitionPage

  """One definition (REST: GET /api/definitions/:id); NOT_FOUND when it is not in your tenant."""
  workflowDefinition(id: ID!): WorkflowDefinition

  """
  Instances you may see, newest first (REST: GET /api/instances): an admin sees every instance of
  the tenant, anyone else those they started or hold (or held) a task in. \`status\` is one of
  running, completed, rejected, failed, cancelled.
  """
  workflowInstances(status: String, workflowDefinitionId: ID, workflowName: String, limit: Int): [WorkflowInstance!]

  """The same list, one page at a time."""
  workflowInstancesPage(status: String, workflowDefinitionId: ID, workflowName: String, limit: Int, cursor: String): WorkflowInstancePage

  """One instance with its node executions and history (REST: GET /api/instances/:id); NOT_FOUND when you may not see it."""
  workflowInstance(id: ID!): WorkflowInstance

  """Recompute an instance's history hash chain (REST: GET /api/instances/:id/history/verify)."""
  verifyWorkflowHistory(instanceId: ID!): HistoryVerification

  """
  Your task queue, most urgent first (REST: GET /api/tasks/mine): the first \`limit\` (default 100)
  tasks. \`urgencyLevel\` is OVERDUE, URGENT or NORMAL.
  """
  myPendingTasks(urgencyLevel: String, limit: Int): [Task!]

  """The same queue, one page at a time."""
  myPendingTasksPage(urgencyLevel: String, limit: Int, cursor: String): TaskPage

  """Per workflow name (all versions): totals, SLA compliance, completion times (REST: GET /api/analytics/workflows)."""
  workflowAnalytics: [WorkflowAnalytics!]
}

type Mutation {
  """
  Create a workflow definition, or the next version of a name that exists (admin; REST: POST
  /api/definitions). A definition with problems is INVALID_DEFINITION, every problem in
  \`extensions.details\` as { path, message }.
  """
  createWorkflowDefinition(input: WorkflowDefinitionInput!): WorkflowDefinition

  """Make a definition startable again (admin)."""
  activateWorkflowDefinition(id: ID!): WorkflowDefinition

  """Stop new starts of a definition (admin); running instances go on."""
  deactivateWorkflowDefinition(id: ID!): WorkflowDefinition

  """
  Start an instance (REST: POST /api/instances). Give exactly one of \`workflowDefinitionId\` and
  \`workflowName\` (a name starts its latest active version). With \`idempotencyKey\` (REST: the
  Idempotency-Key header), the same key answers the original instance and starts nothing new.
  """
  startWorkflow(input: StartWorkflowInput!, idempotencyKey: String): WorkflowInstance

  """Cancel a running instance (admin, or its starter); its open tasks leave every queue."""
  cancelWorkflowInstance(id: ID!, reason: String): WorkflowInstance

  """Re-run the failed node executions of a failed instance (admin)."""
  retryWorkflowInstance(id: ID!): WorkflowInstance

  """Approve a waiting approval task (REST: POST /api/tasks/:taskId/approve)."""
  approveTask(taskId: ID!, comments: String): TaskDecision

  """Reject a waiting approval task; the instance ends rejected."""
  rejectTask(taskId: ID!, comments: String): TaskDecision

  """Hand a waiting task to another user; answers the task as the queue now shows it."""
  delegateTask(taskId: ID!, toUserId: String!, comments: String): Task

  """Complete a waiting user task with its form data (checked against the node's formSchema)."""
  completeTask(taskId: ID!, data: JSONObject!): TaskDecision

  """Start every active workflow of your tenant that listens for the event (REST: POST /api/events)."""
  publishEvent(input: PublishEventInput!, idempotencyKey: String): PublishEventResult
}

type Subscription {
  """
  Changes to your task queue, as they commit, whichever engine process made them (over
  Server-Sent Events at /graphql/stream, graphql-sse's protocol). Subscribe first, then read
  \`myPendingTasks\`: a change committed in between arrives as an event.
  """
  taskQueueChanged: TaskQueueChange!
}

"""A workflow template: nodes joined by routes, started by hand, by cron or by events."""
type WorkflowDefinition {
  id: ID!
  name: String!
  version: Int!
  isActive: Boolean!
  category: String
  description: String
  startNodeId: String!
  nodes: [WorkflowNode!]!
  routes: [WorkflowRoute!]!
  triggers: [WorkflowTrigger!]!
  """the instance deadline in hours; null: none"""
  slaHours: Float
  escalationEnabled: Boolean!
  escalationRole: String
  """JSON Schema every start context must match"""
  contextSchema: JSONObject
  createdBy: String!
  createdAt: DateTime!
  updatedAt: DateTime!
}

"""A node of a definition. Which fields apply depends on \`nodeType\` (API.md, "Definitions")."""
type WorkflowNode {
  id: String!
  """approval, user_task, service_task, gateway or sub_workflow"""
  nodeType: String!
  name: String!
  join: Boolean
  slaHours: Float
  escalationRole: String
  approverRole: String
  approverUserId: String
  assigneeRole: String
  assigneeUserId: String
  formSchema: JSONObject
  serviceType: String
  serviceConfig: JSON
  """exclusive or parallel"""
  gatewayType: String
  conditionExpression: String
  subWorkflowName: String
  subWorkflowDefinitionId: String
  outputMapping: JSONObject
}

type WorkflowRoute {
  fromNodeId: String!
  toNodeId: String!
  condition: String
}

type WorkflowTrigger {
  """cron or event"""
  type: String!
  cron: String
  timezone: String
  contextData: JSONObject
  eventType: String
}

type WorkflowDefinitionPage {
  items: [WorkflowDefinition!]!
  """pass it as \`cursor\` for the next page; null on the last page"""
  nextCursor: String
}

type WorkflowInstance {
  id: ID!
  """running, completed, rejected, failed or cancelled"""
  status: String!
  workflowDefinitionId: ID!
  workflowName: String!
  workflowVersion: Int!
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject!
  """manual, cron, event or sub_workflow"""
  triggerType: String!
  startedBy: String!
  parentInstanceId: ID
  slaDeadline: DateTime
  startedAt: DateTime!
  completedAt: DateTime
  cancelReason: String
  """the node executions in execution order; a branch not taken has none"""
  nodes: [NodeExecution!]!
  """the audit trail, oldest first"""
  history: [HistoryItem!]!
}

type NodeExecution {
  id: ID!
  nodeId: String!
  nodeType: String!
  name: String!
  status: String!
  assignedUserId: String
  assignedRole: String
  decision: String
  comments: String
  attempts: Int!
  error: JSON
  slaDeadline: DateTime
  startedAt: DateTime
  completedAt: DateTime
}

type HistoryItem {
  id: ID!
  eventType: String!
  nodeExecutionId: ID
  actorUserId: String
  details: JSON
  createdAt: DateTime!
}

type HistoryVerification {
  valid: Boolean!
  checked: Int!
  """the first history row whose hash does not match, else null"""
  brokenAt: ID
}

type WorkflowInstancePage {
  items: [WorkflowInstance!]!
  nextCursor: String
}

"""A waiting approval or user task; its id is the node execution's id."""
type Task {
  """the same as taskId"""
  id: ID!
  taskId: ID!
  instanceId: ID!
  workflowName: String!
  taskName: String!
  nodeType: String!
  """OVERDUE, URGENT or NORMAL"""
  urgencyLevel: String!
  """hours to the deadline, two decimals, negative when overdue; null without a deadline"""
  hoursRemaining: Float
  isOverdue: Boolean!
  slaDeadline: DateTime
  assignedUserId: String
  assignedRole: String
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject!
  createdAt: DateTime!
  """the task's instance"""
  instance: WorkflowInstance
}

type TaskPage {
  items: [Task!]!
  nextCursor: String
}

"""The answer to a decision: the task is completed and the instance moves on asynchronously."""
type TaskDecision {
  """the task's id"""
  id: ID!
  taskId: ID!
  instanceId: ID!
  """completed"""
  status: String!
  """approved or rejected; null for a completed user task"""
  decision: String
}

type WorkflowAnalytics {
  workflowName: String!
  totalInstances: Int!
  runningInstances: Int!
  completedInstances: Int!
  rejectedInstances: Int!
  failedInstances: Int!
  cancelledInstances: Int!
  """finished instances that met their deadline, %, two decimals; null when none finished"""
  slaCompliancePercentage: Float
  """over completed instances, two decimals; null when none completed"""
  avgCompletionHours: Float
}

type PublishEventResult {
  startedInstanceIds: [ID!]!
}

type TaskQueueChange {
  """
  ENTERED (now in your queue), LEFT (decided, delegated away, cancelled), UPDATED (still yours;
  its assignment or escalation changed) or RESYNC (changes may have been missed while the engine
  was reconnecting to the database: read myPendingTasks again)
  """
  change: String!
  taskId: ID
  instanceId: ID
  """the task as myPendingTasks shows it now; null for LEFT and RESYNC"""
  task: Task
}

"""
A definition as \`POST /api/definitions\` takes it. Every field is optional here: the engine
checks the whole definition and lists every problem at once (INVALID_DEFINITION).
"""
input WorkflowDefinitionInput {
  """required"""
  name: String
  description: String
  category: String
  """default: the only node without incoming routes"""
  startNodeId: String
  """required, at least one"""
  nodes: [WorkflowNodeInput!]
  """required (may be empty)"""
  routes: [WorkflowRouteInput!]
  triggers: [WorkflowTriggerInput!]
  slaHours: Float
  escalationEnabled: Boolean
  escalationRole: String
  contextSchema: JSONObject
}

"""A node: \`id\`, \`nodeType\` and \`name\`, and the fields of its type (API.md, "Definitions")."""
input WorkflowNodeInput {
  id: String
  nodeType: String
  name: String
  join: Boolean
  slaHours: Float
  escalationRole: String
  approverRole: String
  approverUserId: String
  assigneeRole: String
  assigneeUserId: String
  formSchema: JSONObject
  serviceType: String
  """the service type's configuration, checked by its handler (database_query needs \`sql\`)"""
  serviceConfig: JSON
  gatewayType: String
  conditionExpression: String
  subWorkflowName: String
  subWorkflowDefinitionId: String
  outputMapping: JSONObject
}

input WorkflowRouteInput {
  fromNodeId: String
  toNodeId: String
  condition: String
}

input WorkflowTriggerInput {
  """cron or event"""
  type: String
  cron: String
  timezone: String
  contextData: JSONObject
  eventType: String
}

input StartWorkflowInput {
  workflowDefinitionId: ID
  workflowName: String
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject
}

input PublishEventInput {
  eventType: String!
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject
}
`;
