/**
 * One task: what it is about (the context, readably), where it stands (deadline, urgency, who
 * holds it, a quorum's tally, the forecast), the decisions it allows, the comments; for a user
 * task, the form from its `formSchema`, the server's errors beside the fields they name.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, ApiError } from '../../api/client';
import { StatusBadge, UrgencyBadge } from '../../components/badges';
import { ContextView } from '../../components/context-view';
import { Countdown } from '../../components/countdown';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { CommentsThread } from './comments-thread';
import { DecisionPanel, type Decision } from './decision-panel';
import { errorCount, errorSchemaOf, type ErrorNode } from './form-errors';
import { SchemaForm } from './schema-form';
import { taskKeys, type TaskAction, type TaskDecision, type TaskDetail } from './task-types';
import './task.css';

const DONE_TEXT: Record<TaskAction, string> = {
  approve: 'You approved this task.',
  reject: 'You rejected this task.',
  delegate: 'You delegated this task.',
  complete: 'You completed this task.',
  return: 'You sent this task back for revision.',
  claim: 'You claimed this task: it is yours now.',
  release: 'You released this task to its role.',
  reassign: 'You reassigned this task.',
};

function outcomeText(action: TaskAction, answer: unknown): string {
  const vote = (answer as TaskDecision | undefined)?.vote;
  if (vote && vote.outcome === null) return `Your vote is counted: ${vote.approvals} of ${vote.required} approvals so far.`;
  return DONE_TEXT[action];
}

/** The API's message as a sentence: a capital is not forced, a full stop is. */
function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

function send(taskId: string, decision: Decision): Promise<unknown> {
  const { action, ...body } = decision;
  return api.post(`/api/tasks/${taskId}/${action}`, body);
}

function Summary({ task }: { task: TaskDetail }) {
  const holder = task.assignedUserId ?? (task.assignedRole ? `anyone with the role ${task.assignedRole}` : null);
  return (
    <section className="card task-summary" aria-label="About this task">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={task.status} /> {task.urgencyLevel && <UrgencyBadge urgency={task.urgencyLevel} />}
        </dd>
        <dt>Deadline</dt>
        <dd>{task.status === 'waiting' ? <Countdown dueAt={task.slaDeadline} /> : task.slaDeadline ? new Date(task.slaDeadline).toLocaleString() : 'none'}</dd>
        <dt>Workflow</dt>
        <dd>
          {task.workflowName} <span className="muted">version {task.workflowVersion}</span>
        </dd>
        <dt>Step</dt>
        <dd>
          {task.taskName} <span className="muted">({task.nodeId})</span>
        </dd>
        <dt>Instance</dt>
        <dd>
          <Link href={`/instances/${task.instanceId}`}>Open the instance</Link> <StatusBadge status={task.instanceStatus} />
        </dd>
        {task.contextEntityId && (
          <>
            <dt>Business key</dt>
            <dd>
              {task.contextEntityType && <span className="muted">{task.contextEntityType} </span>}
              {task.contextEntityId}
            </dd>
          </>
        )}
        <dt>Requested by</dt>
        <dd>{task.startedBy}</dd>
        <dt>Assigned to</dt>
        <dd>
          {holder ?? <span className="muted">nobody named</span>}
          {task.claimedAt && <span className="muted"> (claimed {new Date(task.claimedAt).toLocaleString()})</span>}
        </dd>
        {task.candidateUsers.length > 0 && (
          <>
            <dt>Voters</dt>
            <dd>{task.candidateUsers.join(', ')}</dd>
          </>
        )}
        {task.escalatedAt && (
          <>
            <dt>Escalated</dt>
            <dd>
              to {task.escalationRole ?? 'the escalation role'} on {new Date(task.escalatedAt).toLocaleString()}
            </dd>
          </>
        )}
        {task.decision && (
          <>
            <dt>Decision</dt>
            <dd>
              {task.decision} by {task.decidedBy ?? 'someone'}
              {task.onBehalfOf && ` for ${task.onBehalfOf}`}
              {task.comments && <>: “{task.comments}”</>}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function Quorum({ quorum }: { quorum: NonNullable<TaskDetail['quorum']> }) {
  return (
    <section className="card" aria-labelledby="quorum-h">
      <h2 id="quorum-h">Vote</h2>
      <p>
        <strong>
          {quorum.approvals} of {quorum.required}
        </strong>{' '}
        approvals needed{quorum.electorate !== null ? `, ${quorum.electorate} may vote` : ''}; {quorum.rejections}{' '}
        {quorum.rejections === 1 ? 'rejection' : 'rejections'}{' '}
        <span className="muted">({quorum.rejectPolicy === 'any' ? 'one rejection rejects' : 'rejections need a quorum too'})</span>
      </p>
      {quorum.votes.length > 0 && (
        <ul className="votes">
          {quorum.votes.map((v) => (
            <li key={`${v.userId}-${v.at}`}>
              {v.userId}
              {v.onBehalfOf && ` for ${v.onBehalfOf}`}: <strong>{v.decision}</strong>
              {v.comments && <> — {v.comments}</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ForecastNote({ task }: { task: TaskDetail }) {
  if (task.status !== 'waiting') return null;
  const f = task.forecast;
  if (!f.available) return <p className="muted forecast">Forecast: none yet ({f.reason}).</p>;
  return (
    <p className="forecast">
      Forecast to finish {new Date(f.finishAt).toLocaleString()}:{' '}
      <strong className={f.atRisk ? 'at-risk' : 'on-time'}>{f.atRisk ? 'after the deadline (at risk)' : 'before the deadline'}</strong>{' '}
      <span className="muted">({f.model})</span>
    </p>
  );
}

function TaskForm({ task, onDone }: { task: TaskDetail; onDone: (answer: unknown) => void }) {
  const queryClient = useQueryClient();
  const [data, setData] = useState<unknown>({});
  const [fieldErrors, setFieldErrors] = useState<ErrorNode>({});
  const complete = useMutation({
    mutationFn: (formData: unknown) => api.post(`/api/tasks/${task.taskId}/complete`, { data: formData ?? {} }),
    onMutate: () => setFieldErrors({}),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['instances', task.instanceId] });
      onDone(answer);
    },
    onError: (err) => {
      if (err instanceof ApiError) setFieldErrors(errorSchemaOf(err.details, 'data').errorSchema);
    },
  });
  const placed = errorCount(fieldErrors);
  const unplaced = complete.error instanceof ApiError ? errorSchemaOf(complete.error.details, 'data').unplaced : [];
  return (
    <section className="card task-form" aria-labelledby="task-form-h">
      <h2 id="task-form-h">Form</h2>
      {complete.error instanceof ApiError && (
        <div className="banner banner-error" role="alert">
          <strong>The form was not accepted:</strong> {sentence(complete.error.message)}
          {placed > 0 && ` See the ${placed === 1 ? 'field' : `${placed} fields`} marked below.`}
          {unplaced.length > 0 && (
            <ul>
              {unplaced.map((d, i) => (
                <li key={i}>{d.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {complete.error && !(complete.error instanceof ApiError) && <ErrorBanner error={complete.error} title="The form was not sent" />}
      <SchemaForm
        schema={task.formSchema ?? {}}
        formData={data}
        onChange={setData}
        onSubmit={(formData) => complete.mutate(formData)}
        errors={fieldErrors}
        submitText="Complete task"
        busy={complete.isPending}
      />
    </section>
  );
}

export function TaskPage({ taskId }: { taskId: string }) {
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const task = useQuery({
    queryKey: taskKeys.detail(taskId),
    queryFn: ({ signal }) => api.get<TaskDetail>(`/api/tasks/${taskId}`, signal),
  });
  const decide = useMutation({
    mutationFn: (decision: Decision) => send(taskId, decision),
    onMutate: () => setDone(null),
    onSuccess: (answer, decision) => {
      setDone(outcomeText(decision.action, answer));
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['instances', task.data?.instanceId ?? ''] });
    },
  });

  if (task.isPending) {
    return (
      <Page title="Task">
        <Loading what="Reading the task" />
      </Page>
    );
  }
  if (task.error || !task.data) {
    return (
      <Page title="Task">
        <ErrorBanner error={task.error} title="The task could not be read" />
        <p>
          <Link href="/">Back to the inbox</Link>
        </p>
      </Page>
    );
  }
  const t = task.data;
  const canComplete = t.allowedActions.includes('complete') && t.nodeType === 'user_task';
  return (
    <Page
      title={t.taskName}
      actions={
        <Link href="/" className="button">
          Back to the inbox
        </Link>
      }
    >
      <div role="status" aria-live="polite" className="task-outcome">
        {done && (
          <div className="banner banner-ok" data-testid="decision-done">
            {done} <Link href="/">Back to the inbox</Link>
          </div>
        )}
      </div>
      {t.revision && (
        <div className="banner revision">
          <strong>Sent back for revision</strong> by {t.revision.by} (round {t.revision.round}): {t.revision.comments}
        </div>
      )}
      <div className="task-grid">
        <div className="task-main">
          <Summary task={t} />
          <ForecastNote task={t} />
          {t.quorum && <Quorum quorum={t.quorum} />}
          <section className="card" aria-labelledby="context-h">
            <h2 id="context-h">Request details</h2>
            <ContextView context={t.contextData} />
          </section>
        </div>
        <div className="task-side">
          {canComplete && <TaskForm key={t.taskId} task={t} onDone={(answer) => setDone(outcomeText('complete', answer))} />}
          <DecisionPanel task={t} busy={decide.isPending ? decide.variables.action : null} error={decide.error} onDecide={(d) => decide.mutate(d)} />
          {t.status === 'waiting' && t.allowedActions.length === 0 && !done && (
            <p className="card muted">You can see this task but no decision on it is yours to take now.</p>
          )}
          <CommentsThread instanceId={t.instanceId} />
        </div>
      </div>
    </Page>
  );
}
