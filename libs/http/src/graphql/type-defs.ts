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
  running, completed, rejected, failed, cancelled. \`contextEntityType\` and \`contextEntityId\`
  are the business key; \`startedFrom\`/\`startedTo\` and \`completedFrom\`/\`completedTo\` are
  time ranges (from inclusive, to exclusive), each an ISO-8601 date or date-time with offset as
  the REST query takes it (\`2026-12-01\`, \`2026-12-01T09:00:00Z\`).
  """
  workflowInstances(
    status: String
    workflowDefinitionId: ID
    workflowName: String
    contextEntityType: String
    contextEntityId: String
    startedBy: String
    startedFrom: String
    startedTo: String
    completedFrom: String
    completedTo: String
    limit: Int
  ): [WorkflowInstance!]

  """The same list, one page at a time."""
  workflowInstancesPage(
    status: String
    workflowDefinitionId: ID
    workflowName: String
    contextEntityType: String
    contextEntityId: String
    startedBy: String
    startedFrom: String
    startedTo: String
    completedFrom: String
    completedTo: String
    limit: Int
    cursor: String
  ): WorkflowInstancePage

  """One instance with its node executions and history (REST: GET /api/instances/:id); NOT_FOUND when you may not see it."""
  workflowInstance(id: ID!): WorkflowInstance

  """Recompute an instance's history hash chain (REST: GET /api/instances/:id/history/verify)."""
  verifyWorkflowHistory(instanceId: ID!): HistoryVerification

  """
  Your task queue, most urgent first (REST: GET /api/tasks/mine): the first \`limit\` (default 100)
  tasks. \`urgencyLevel\` is OVERDUE, AT_RISK, URGENT or NORMAL.
  """
  myPendingTasks(urgencyLevel: String, limit: Int): [Task!]

  """The same queue, one page at a time."""
  myPendingTasksPage(urgencyLevel: String, limit: Int, cursor: String): TaskPage

  """
  One task, waiting or decided, with the actions you may take on it now (REST: GET
  /api/tasks/:taskId); NOT_FOUND when you may not see it.
  """
  task(id: ID!): TaskDetail

  """
  Every open task of your tenant, most urgent first: the operator view (admin; REST: GET
  /api/tasks, ADMIN_REQUIRED for anyone else). \`role\` and \`assignee\` are who holds the task
  (\`assignee\` also finds a quorum task naming the user among its voters); \`urgencyLevel\` is
  OVERDUE, AT_RISK, URGENT or NORMAL; \`olderThanHours\` keeps tasks created at least that long ago.
  """
  openTasks(
    workflowName: String
    nodeId: String
    role: String
    assignee: String
    urgencyLevel: String
    overdue: Boolean
    contextEntityType: String
    contextEntityId: String
    olderThanHours: Float
    limit: Int
  ): [Task!]

  """The same view, one page at a time."""
  openTasksPage(
    workflowName: String
    nodeId: String
    role: String
    assignee: String
    urgencyLevel: String
    overdue: Boolean
    contextEntityType: String
    contextEntityId: String
    olderThanHours: Float
    limit: Int
    cursor: String
  ): TaskPage

  """
  Deputy windows (REST: GET /api/deputies): yours, as the absent user or as the deputy; an admin
  sees every window of the tenant.
  """
  myDeputies: [DeputyWindow!]

  """Per workflow name (all versions): totals, SLA compliance, completion times (REST: GET /api/analytics/workflows)."""
  workflowAnalytics: [WorkflowAnalytics!]

  """
  Your tenant's business calendars, by name (REST: GET /api/calendars): working hours in a time
  zone, public holidays and closed dates, in which deadlines and business-time timers count.
  """
  calendars: [BusinessCalendar!]

  """One calendar (REST: GET /api/calendars/:name); NOT_FOUND when your tenant has none of that name."""
  calendar(name: String!): BusinessCalendar
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

  """
  Send a waiting task back for revision to its node's \`returnTo\` user task, saying what to
  revise (REST: POST /api/tasks/:taskId/return). RETURN_NOT_ALLOWED without a returnTo,
  RETURN_LIMIT_REACHED after \`maxRounds\` returns, NOT_FOR_QUORUM on a quorum vote.
  """
  returnTask(taskId: ID!, comments: String!): TaskDecision

  """
  Take a role's waiting task for yourself (REST: POST /api/tasks/:taskId/claim): it leaves the
  role's other holders' queues until released. NOT_CLAIMABLE when it is assigned to a user.
  """
  claimTask(taskId: ID!, comments: String): Task

  """Give a claimed task back to its role (NOT_CLAIMED when it was not claimed)."""
  releaseTask(taskId: ID!, comments: String): Task

  """
  Hand a waiting task to a user or to a role: give exactly one of \`toUserId\` and \`toRole\`
  (an admin, or a holder of the node's managerRole: NOT_TASK_MANAGER otherwise).
  """
  reassignTask(taskId: ID!, toUserId: String, toRole: String, comments: String): Task

  """
  One action on up to 100 tasks, each on its own, as acting on it alone would go (REST: POST
  /api/tasks/bulk). \`action\` is approve, reject, claim or release. One task refused (already
  decided, your own request) refuses only that task: its outcome carries the REST code.
  """
  bulkDecideTasks(action: String!, taskIds: [ID!]!, comments: String): BulkTaskResult

  """Add a comment to an instance's thread (REST: POST /api/instances/:id/comments), by whoever may see the instance."""
  commentOnInstance(instanceId: ID!, text: String!): InstanceComment

  """
  Name a deputy while you are away (REST: POST /api/deputies): from \`startsAt\` to \`endsAt\`
  the deputy also holds the tasks assigned to you in person, optionally only in some workflows or
  for some roles. An admin may name one for another user (\`userId\`).
  """
  declareDeputy(input: DeputyInput!): DeputyWindow

  """Remove a deputy window (its absent user, whoever declared it, or an admin): true once removed."""
  removeDeputy(id: ID!): Boolean

  """Start every active workflow of your tenant that listens for the event (REST: POST /api/events)."""
  publishEvent(input: PublishEventInput!, idempotencyKey: String): PublishEventResult

  """
  Send a message to the receive nodes of your tenant (REST: POST /api/messages): every execution
  waiting for its \`name\` and \`correlationKey\` resumes, moments later (at most 100 at once).
  When none waits, a message with a \`timeToLive\` is kept for a receive node that comes later.
  The same \`messageId\` again answers what the first did (\`duplicate\`) and changes nothing.
  """
  sendMessage(input: MessageInput!): MessageResult

  """
  A new callback URL for a waiting receive execution (REST: POST
  /api/instances/:id/executions/:executionId/callback/rotate): the old one stops working.
  NOT_WAITING_FOR_MESSAGE when the execution does not wait for a message.
  """
  rotateCallback(instanceId: ID!, executionId: ID!): CallbackRotation

  """
  Create a business calendar, or replace the one of that name with its next version (admin; REST:
  POST /api/calendars). A replacement recounts the open deadlines and business-time timers that
  count in it. A calendar with problems is INVALID_CALENDAR, every problem in
  \`extensions.details\` as { path, message }.
  """
  putCalendar(input: CalendarInput!): CalendarChange

  """
  Move a waiting task's deadline by hand, with a reason recorded in the history (admin; REST: POST
  /api/tasks/:taskId/deadline). \`slaDeadline\` is an ISO-8601 date or date-time with offset.
  """
  moveTaskDeadline(taskId: ID!, slaDeadline: String!, reason: String!): TaskDetail
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
  """separation-of-duties defaults of every approval and user task"""
  notStarter: Boolean!
  distinctDeciders: Boolean!
  """holders of this role may reassign any task of the definition (besides admins)"""
  managerRole: String
  createdBy: String!
  createdAt: DateTime!
  updatedAt: DateTime!
}

"""A node of a definition. Which fields apply depends on \`nodeType\` (API.md, "Definitions")."""
type WorkflowNode {
  id: String!
  """approval, user_task, service_task, gateway, sub_workflow, timer or receive"""
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
  """CEL giving the approver (a user id, or { role } / { userId })"""
  approverExpression: String
  """CEL giving the assignee, as approverExpression"""
  assigneeExpression: String
  """N of M: { voters?, required, rejectPolicy? } (API.md, "Approvals")"""
  quorum: JSONObject
  notStarter: Boolean
  notDeciderOf: [String!]
  distinctDeciders: Boolean
  managerRole: String
  """the earlier user task a return sends the instance back to"""
  returnTo: String
  maxRounds: Int
  notify: JSONObject
  """non-interrupting reminders of a waiting task or receive node: [{ after, every?, times? }]"""
  reminders: [JSONObject!]
  """interrupting: { after }; the wait leaves by its routes with condition "timeout", else fails (WAIT_TIMED_OUT)"""
  timeout: JSONObject
  """the escalation ladder of a task: [{ after, toRole, notify }], each level once, in order"""
  escalations: [JSONObject!]
  """the business calendar the node's durations count in (default the definition's)"""
  calendar: String
  """while it waits, the instance's SLA clock stops"""
  pausesSla: Boolean
  """a timer: an ISO-8601 duration (PT2H)"""
  duration: String
  """a timer: CEL giving an ISO date-time or epoch milliseconds"""
  until: String
  """a timer: a cron expression, in \`timezone\`"""
  cron: String
  timezone: String
  """a timer: \`duration\` counts in the calendar's working time"""
  businessTime: Boolean
  """a receive node: the message it waits for"""
  messageName: String
  """a receive node: CEL over the context giving the key a message must carry"""
  correlationKey: String
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
  """hours left out of the SLA while the instance waited on a node that pausesSla (clock-stop): slaDeadline moved by as much"""
  slaPausedHours: Float!
  """the node executions in execution order; a branch not taken has none"""
  nodes: [NodeExecution!]!
  """the audit trail, oldest first"""
  history: [HistoryItem!]!
  """the instance's comment thread, oldest first (REST: GET /api/instances/:id/comments)"""
  comments: [InstanceComment!]!
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
  """what a waiting execution waits for, and until when; null when it does not wait"""
  wait: NodeWait
  """a task forecast to finish after its deadline (AT_RISK) since then; null: not at risk"""
  atRiskAt: DateTime
}

"""What a waiting execution waits for (REST: a node execution's \`wait\`)."""
type NodeWait {
  """task, join, child, timer or message"""
  waitingFor: String!
  """the next time-based event: a timer's due time, a reminder, a ladder level, a timeout, the deadline"""
  wakeAt: DateTime
  """a timer: when it fires"""
  dueAt: DateTime
  """a receive node: the message it waits for, and the key the message must carry"""
  messageName: String
  correlationKey: String
  """a receive node: POST here without a bearer token to resume it (single-use; rotateCallback replaces it)"""
  callbackUrl: String
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
  """OVERDUE, AT_RISK (forecast to finish after its deadline), URGENT or NORMAL"""
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
  nodeId: String!
  """a quorum's voters, when given by a list or an expression"""
  candidateUsers: [String!]!
  """when it was claimed from its role; null: not claimed"""
  claimedAt: DateTime
  """who started the task's instance"""
  startedBy: String!
  """in your queue as deputy of this absent user; null: your own"""
  onBehalfOf: String
  """when its forecast finish was found to pass its deadline (AT_RISK); null: not at risk, or no forecast"""
  atRiskAt: DateTime
  """the task's instance"""
  instance: WorkflowInstance
}

"""One task as GET /api/tasks/:taskId shows it, waiting or decided; its id is the node execution's id."""
type TaskDetail {
  """the same as taskId"""
  id: ID!
  taskId: ID!
  instanceId: ID!
  workflowName: String!
  workflowVersion: Int!
  taskName: String!
  nodeId: String!
  """approval or user_task"""
  nodeType: String!
  """the execution's status: waiting, completed, cancelled, ..."""
  status: String!
  instanceStatus: String!
  startedBy: String!
  assignedUserId: String
  assignedRole: String
  candidateUsers: [String!]!
  escalationRole: String
  escalatedAt: DateTime
  claimedAt: DateTime
  slaDeadline: DateTime
  """OVERDUE, AT_RISK, URGENT or NORMAL while it waits; null once decided"""
  urgencyLevel: String
  hoursRemaining: Float
  isOverdue: Boolean!
  """approved, rejected, completed or returned; null while it waits"""
  decision: String
  decidedBy: String
  """the absent user a deputy decided for"""
  onBehalfOf: String
  comments: String
  """the reviewer's request, on a task sent back for revision"""
  revision: TaskRevision
  """the tally of a quorum approval; null for any other task"""
  quorum: QuorumTally
  separationOfDuties: SeparationOfDuties!
  returnTo: String
  """returns used and allowed, when the node names a returnTo"""
  rounds: TaskRounds
  """when the task is forecast to finish, and whether that passes its deadline"""
  forecast: TaskForecast!
  """what you may do now: approve, reject, delegate, complete, return, claim, release, reassign"""
  allowedActions: [String!]!
  """you would act for this absent user, as deputy"""
  actingFor: String
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject!
  formSchema: JSONObject
  createdAt: DateTime
  completedAt: DateTime
  """the task's instance"""
  instance: WorkflowInstance
}

type TaskRevision {
  """which return this is, from 1"""
  round: Int!
  """the node that sent it back"""
  fromNodeId: String!
  by: String!
  comments: String!
  at: DateTime!
}

type QuorumTally {
  """approvals needed"""
  required: Int!
  approvals: Int!
  rejections: Int!
  """how many may vote, when the voters are a list; null for a role"""
  electorate: Int
  """any (the first rejection rejects) or quorum (once approval can no longer be reached)"""
  rejectPolicy: String!
  votes: [TaskVote!]!
}

type TaskVote {
  userId: String!
  """the absent user a deputy voted for"""
  onBehalfOf: String
  """approved or rejected"""
  decision: String!
  comments: String
  at: DateTime!
}

type SeparationOfDuties {
  notStarter: Boolean!
  notDeciderOf: [String!]!
  distinctDeciders: Boolean!
}

type TaskRounds {
  used: Int!
  max: Int!
}

"""
A task's forecast finish: the 75th percentile of its node's recent durations (REST: a task's
\`forecast\`). With too little history \`available\` is false and \`reason\` says so.
"""
type TaskForecast {
  available: Boolean!
  finishAt: DateTime
  """the forecast finish passes the deadline"""
  atRisk: Boolean
  atRiskAt: DateTime
  model: String
  reason: String
}

type TaskPage {
  items: [Task!]!
  nextCursor: String
}

"""
The answer to a decision: the task is completed and the instance moves on asynchronously, or,
for a quorum vote that did not decide it yet, the task still waits for the other voters.
"""
type TaskDecision {
  """the task's id"""
  id: ID!
  taskId: ID!
  instanceId: ID!
  """completed; waiting when a quorum vote did not decide the task yet"""
  status: String!
  """approved, rejected or returned; null for a completed user task and for a vote that did not decide"""
  decision: String
  """a quorum vote: where the count stands"""
  vote: VoteCount
}

type VoteCount {
  """your vote: approved or rejected"""
  decision: String!
  approvals: Int!
  rejections: Int!
  required: Int!
  """approved or rejected once the vote decided the task; null while it waits"""
  outcome: String
}

type BulkTaskResult {
  """approve, reject, claim or release"""
  action: String!
  succeeded: Int!
  failed: Int!
  """one per distinct task, in the order given"""
  results: [BulkTaskOutcome!]!
}

"""What acting on one task of a bulk request alone gave."""
type BulkTaskOutcome {
  taskId: ID!
  """the HTTP status REST answers for it: 200, or the error's (403, 404, 409, ...)"""
  status: Int!
  ok: Boolean!
  """approve and reject: the decision"""
  decision: TaskDecision
  """claim and release: the task as it now is"""
  task: Task
  """when it was refused: the REST code, message and details"""
  error: TaskError
}

type TaskError {
  code: String!
  message: String!
  details: JSON
}

"""A comment of an instance's thread (a row of its history, eventType comment_added)."""
type InstanceComment {
  id: ID!
  instanceId: ID!
  authorUserId: String!
  text: String!
  createdAt: DateTime!
}

"""While \`userId\` is away, \`deputyUserId\` also holds the tasks assigned to \`userId\` in person."""
type DeputyWindow {
  id: ID!
  """the absent user"""
  userId: String!
  deputyUserId: String!
  startsAt: DateTime!
  endsAt: DateTime!
  """only tasks of these workflows; null: all"""
  workflows: [String!]
  """only tasks assigned through these roles; null: all"""
  roles: [String!]
  createdBy: String!
  createdAt: DateTime!
  """the window is open now"""
  active: Boolean!
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

"""What a message did (REST: the answer of POST /api/messages)."""
type MessageResult {
  """delivered (receivers resume), buffered (kept for timeToLive) or unmatched (nobody waited: dropped)"""
  status: String!
  """this messageId came before: nothing changed, this is what the first did"""
  duplicate: Boolean!
  messageId: String
  """waiting executions resumed, moments after the answer"""
  resumed: Int!
  """their instances (empty on a duplicate)"""
  instanceIds: [ID!]!
  """a buffered message: until when a receiver that comes later can take it"""
  expiresAt: DateTime
}

type CallbackRotation {
  """the new single-use callback URL"""
  callbackUrl: String!
}

"""A business calendar: working hours in a time zone, public holidays and closed dates."""
type BusinessCalendar {
  name: String!
  """1 when created; each replacement adds one"""
  version: Int!
  """the calendar as checked: name, timeZone, workingHours, and holidays, closedDates when given"""
  definition: JSONObject!
  createdBy: String!
  createdAt: DateTime!
  updatedAt: DateTime!
}

"""A calendar as putCalendar saved it (REST: the answer of POST /api/calendars)."""
type CalendarChange {
  name: String!
  version: Int!
  definition: JSONObject!
  createdBy: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  """true: a new calendar (REST: 201); false: the next version of one that was there (REST: 200)"""
  created: Boolean!
  """open task deadlines and business-time timers counted again in the new version"""
  recountedDeadlines: Int!
}

type TaskQueueChange {
  """
  ENTERED (now in your queue), LEFT (decided, delegated away, claimed by another, your quorum
  vote cast, cancelled), UPDATED (still yours; its assignment, escalation or votes changed) or RESYNC (changes may have been missed while the engine
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
  """separation-of-duties defaults of every approval and user task"""
  notStarter: Boolean
  distinctDeciders: Boolean
  """holders may reassign any task of the definition"""
  managerRole: String
  """the business calendar every node counts in unless it names its own"""
  calendar: String
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
  approverExpression: String
  assigneeExpression: String
  """{ voters?: { role } | { users } | { expression }, required: N | "all" | "majority", rejectPolicy?: "any" | "quorum" }"""
  quorum: JSON
  notStarter: Boolean
  notDeciderOf: [String!]
  distinctDeciders: Boolean
  managerRole: String
  returnTo: String
  maxRounds: Int
  notify: JSON
  """[{ after: "PT4H", every?: "PT2H", times?: 3 }]"""
  reminders: JSON
  """{ after: "PT48H" }"""
  timeout: JSON
  """[{ after: "PT24H", toRole: "manager", notify?: true }, ...]"""
  escalations: JSON
  calendar: String
  pausesSla: Boolean
  """a timer: exactly one of duration, until and cron"""
  duration: String
  until: String
  cron: String
  timezone: String
  businessTime: Boolean
  messageName: String
  correlationKey: String
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

"""A deputy window as POST /api/deputies takes it."""
input DeputyInput {
  """the absent user; default you (another user's window needs admin)"""
  userId: String
  deputyUserId: String!
  """an ISO-8601 date or date-time with offset"""
  startsAt: String!
  endsAt: String!
  """only tasks of these workflow names"""
  workflows: [String!]
  """only tasks assigned through these roles"""
  roles: [String!]
}

input PublishEventInput {
  eventType: String!
  contextEntityType: String
  contextEntityId: String
  contextData: JSONObject
}

"""A message as POST /api/messages takes it."""
input MessageInput {
  """the messageName receive nodes wait for"""
  name: String!
  """the value of the receivers' correlationKey expression (a number as its text)"""
  correlationKey: String!
  """merged into the receiver's context, or read by its outputMapping as message.data"""
  data: JSONObject
  """the sender's id: sent again, it changes nothing"""
  messageId: String
  """
  how long to keep it when nobody waits yet: an ISO-8601 duration ("PT10M"; no years or months:
  INVALID_DURATION) or a number of seconds, at most 30 days; absent or 0: not kept
  """
  timeToLive: JSON
}

"""
A calendar as POST /api/calendars takes it. Every field is optional here: the engine checks the
whole calendar and lists every problem at once (INVALID_CALENDAR).
"""
input CalendarInput {
  """required: 1 to 100 of letters, digits, _ . and -"""
  name: String
  """required: an IANA time zone, such as Europe/Berlin"""
  timeZone: String
  """required: at least one working interval in the week"""
  workingHours: WorkingHoursInput
  """the public holidays of a country (and region): closed"""
  holidays: HolidaysInput
  """further closed days, YYYY-MM-DD"""
  closedDates: [String!]
}

"""Per weekday the working intervals, in order and not overlapping; a day left out is closed."""
input WorkingHoursInput {
  mon: [WorkingIntervalInput!]
  tue: [WorkingIntervalInput!]
  wed: [WorkingIntervalInput!]
  thu: [WorkingIntervalInput!]
  fri: [WorkingIntervalInput!]
  sat: [WorkingIntervalInput!]
  sun: [WorkingIntervalInput!]
}

input WorkingIntervalInput {
  """HH:MM"""
  start: String
  """HH:MM, after start (24:00: midnight at the day's end)"""
  end: String
}

input HolidaysInput {
  """ISO 3166-1 alpha-2, such as DE"""
  country: String
  """one of the country's regions, such as BY"""
  region: String
}
`;
