import type { ChildStarter, CompiledNode, ExecutionState, InstanceState, NodeJob, StoreTx } from '@wf/engine';
import type { PgTx } from '@wf/db';
import { startWorkflow } from './start-workflow';

/**
 * Starts a sub-workflow's child in the parent's step transaction: the child exists exactly when
 * the parent's execution is waiting for it. The child inherits the parent's context and starter.
 */
export class SubWorkflowStarter implements ChildStarter {
  constructor(private readonly newId: () => string) {}

  async start(
    tx: StoreTx,
    req: { parent: InstanceState; execution: ExecutionState; node: CompiledNode },
    now: Date,
  ): Promise<{ instanceId: string; enqueue: readonly NodeJob[] }> {
    const { parent, execution, node } = req;
    const outcome = await startWorkflow(
      tx as PgTx,
      {
        ...(node.subWorkflowDefinitionId ? { workflowDefinitionId: node.subWorkflowDefinitionId } : { workflowName: node.subWorkflowName ?? '' }),
        contextData: parent.contextData,
        startedBy: parent.startedBy,
        triggerType: 'sub_workflow',
        parentInstanceId: parent.id,
        parentNodeExecutionId: execution.id,
        depth: parent.depth + 1,
      },
      now,
      this.newId,
    );
    return { instanceId: outcome.instance.id, enqueue: outcome.enqueue };
  }
}
