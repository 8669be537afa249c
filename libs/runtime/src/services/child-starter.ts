import { NodeFailedError, type ChildStarter, type CompiledNode, type ExecutionState, type InstanceState, type NodeJob, type StoreTx } from '@wf/engine';
import { countTreeInstance, type PgTx } from '@wf/db';
import { startWorkflow } from './start-workflow';

/**
 * Starts a sub-workflow's child in the parent's step transaction: the child exists exactly when
 * the parent's execution is waiting for it. The child inherits the parent's context and starter.
 * The whole tree under a root instance holds at most `maxInstancesPerTree` instances: depth alone
 * let a parallel fork into two self-calling sub-workflows make 2,047 instances from one request.
 */
export class SubWorkflowStarter implements ChildStarter {
  constructor(
    private readonly newId: () => string,
    private readonly maxInstancesPerTree: number,
  ) {}

  async start(
    tx: StoreTx,
    req: { parent: InstanceState; execution: ExecutionState; node: CompiledNode },
    now: Date,
  ): Promise<{ instanceId: string; enqueue: readonly NodeJob[] }> {
    const { parent, execution, node } = req;
    const rootInstanceId = await countTreeInstance(tx as PgTx, parent.id, this.maxInstancesPerTree);
    if (!rootInstanceId) {
      throw new NodeFailedError(
        'SUBWORKFLOW_TREE_LIMIT_EXCEEDED',
        `the instance tree already holds ${this.maxInstancesPerTree} instances (WORKFLOW_MAX_INSTANCES_PER_TREE): no further sub-workflow may start in it`,
      );
    }
    const outcome = await startWorkflow(
      tx as PgTx,
      {
        ...(node.subWorkflowDefinitionId ? { workflowDefinitionId: node.subWorkflowDefinitionId } : { workflowName: node.subWorkflowName ?? '' }),
        contextData: parent.contextData,
        startedBy: parent.startedBy,
        triggerType: 'sub_workflow',
        parentInstanceId: parent.id,
        parentNodeExecutionId: execution.id,
        rootInstanceId,
        depth: parent.depth + 1,
      },
      now,
      this.newId,
    );
    return { instanceId: outcome.instance.id, enqueue: outcome.enqueue };
  }
}
