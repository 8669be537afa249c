/**
 * One instance: its status and context, the definition version it runs drawn as a BPMN diagram
 * coloured by each node's latest execution (a click on a node, or its button in the list, shows
 * its executions), the history as a timeline with the verify endpoint's verdict on the hash
 * chain, and cancel and retry when the status allows them (the API has the last word, and its
 * refusal is shown). A running instance is read again every few seconds.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client';
import { StatusBadge } from '../../components/badges';
import { ContextView } from '../../components/context-view';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { Diagram } from '../../diagram/diagram';
import type { DefinitionDto } from '../definitions/definition-types';
import {
  chainText,
  decidersOf,
  detailPairs,
  errorText,
  eventLabel,
  executionsOf,
  instanceActions,
  isLive,
  type HistoryItemDto,
  type HistoryVerificationDto,
  type InstanceDetailDto,
  type NodeExecutionDto,
} from './instance-view';
import './instance.css';

const HISTORY_PAGE = 25;
const LIVE_MS = 3000;

function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}

function ExecutionCard({ execution, history }: { execution: NodeExecutionDto; history: readonly HistoryItemDto[] }) {
  const error = errorText(execution.error);
  const deciders = decidersOf(history, execution.id);
  const assignee = execution.assignedUserId ?? (execution.assignedRole ? `role ${execution.assignedRole}` : null);
  return (
    <article className="card instance-execution" data-execution-id={execution.id} data-status={execution.status}>
      <h4>
        {execution.name} <StatusBadge status={execution.status} />
      </h4>
      <dl className="context">
        <dt>Type</dt>
        <dd>{execution.nodeType.replace(/_/g, ' ')}</dd>
        {assignee && (
          <>
            <dt>Assignee</dt>
            <dd>{assignee}</dd>
          </>
        )}
        {execution.decision && (
          <>
            <dt>Decision</dt>
            <dd>{execution.decision}</dd>
          </>
        )}
        {deciders.length > 0 && (
          <>
            <dt>Decided by</dt>
            <dd>{deciders.join(', ')}</dd>
          </>
        )}
        {execution.comments && (
          <>
            <dt>Comments</dt>
            <dd>{execution.comments}</dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd>{execution.attempts}</dd>
        {error && (
          <>
            <dt>Error</dt>
            <dd className="instance-error" data-testid="execution-error">
              {error}
            </dd>
          </>
        )}
        {execution.wait && (
          <>
            <dt>Waiting for</dt>
            <dd>
              {execution.wait.waitingFor}
              {execution.wait.messageName && ` “${execution.wait.messageName}”`}
              {execution.wait.correlationKey && ` (key ${execution.wait.correlationKey})`}
              {execution.wait.dueAt && (
                <>
                  {' '}
                  until <When at={execution.wait.dueAt} />
                </>
              )}
            </dd>
          </>
        )}
        {execution.slaDeadline && (
          <>
            <dt>Deadline</dt>
            <dd>
              <When at={execution.slaDeadline} />
              {execution.atRiskAt && <span className="badge urgency-at-risk"> At risk</span>}
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>
          <When at={execution.startedAt} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <When at={execution.completedAt} />
        </dd>
      </dl>
    </article>
  );
}

function NodeDetails({
  instance,
  definition,
  history,
  nodeId,
}: {
  instance: InstanceDetailDto;
  definition: DefinitionDto | undefined;
  history: readonly HistoryItemDto[];
  nodeId: string | null;
}) {
  if (nodeId === null) {
    return <p className="muted">Choose a step on the diagram or in the list to see its executions.</p>;
  }
  const executions = executionsOf(instance.nodes, nodeId);
  const node = definition?.nodes.find((n) => n.id === nodeId);
  return (
    <div data-testid="node-details" data-node-id={nodeId}>
      <h3>
        {node?.name ?? nodeId} <span className="muted">({nodeId})</span>
      </h3>
      {executions.length === 0 ? (
        <p>This step has not run in this instance.</p>
      ) : (
        <>
          <p className="muted">
            {executions.length === 1 ? 'One execution.' : `${executions.length} executions, latest first.`}
          </p>
          {executions.map((e) => (
            <ExecutionCard key={e.id} execution={e} history={history} />
          ))}
        </>
      )}
    </div>
  );
}

function Timeline({ instance, history, verify }: { instance: InstanceDetailDto; history: readonly HistoryItemDto[]; verify: HistoryVerificationDto | undefined }) {
  const [shown, setShown] = useState(HISTORY_PAGE);
  const nodeNames = new Map(instance.nodes.map((n) => [n.id, n.name]));
  const visible = history.slice(0, shown);
  return (
    <section aria-labelledby="history-title">
      <div className="instance-history-head">
        <h2 id="history-title">History</h2>
        {verify && (
          <span
            className={`badge ${verify.valid ? 'status-completed' : 'status-failed'}`}
            data-testid="chain-badge"
            data-valid={String(verify.valid)}
            role="status"
          >
            {verify.valid ? '✓ ' : '✗ '}
            {chainText(verify, history)}
          </span>
        )}
      </div>
      {verify && !verify.valid && (
        <div className="banner banner-error" role="alert">
          The audit trail does not match its hash chain: {chainText(verify, history)}. Entries from there on may have been changed.
        </div>
      )}
      <ol className="instance-timeline" data-testid="timeline">
        {visible.map((item) => {
          const broken = verify?.brokenAt === item.id;
          return (
            <li key={item.id} data-event-type={item.eventType} className={broken ? 'broken' : undefined}>
              <div className="instance-timeline-head">
                <strong>{eventLabel(item.eventType)}</strong>
                {item.nodeExecutionId && nodeNames.has(item.nodeExecutionId) && <span> · {nodeNames.get(item.nodeExecutionId)}</span>}
                {item.actorUserId && <span className="muted"> · by {item.actorUserId}</span>}
                {broken && <span className="badge status-failed"> chain broken here</span>}
              </div>
              <When at={item.createdAt} />
              {detailPairs(item.details).length > 0 && (
                <ul className="instance-timeline-details">
                  {detailPairs(item.details).map((d) => (
                    <li key={d.key}>
                      <span className="muted">{d.key}:</span> {d.value}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      <p className="muted">
        Showing {visible.length} of {history.length} entries.{' '}
        {shown < history.length && (
          <button type="button" onClick={() => setShown((n) => n + HISTORY_PAGE)}>
            Show {Math.min(HISTORY_PAGE, history.length - shown)} more
          </button>
        )}
      </p>
    </section>
  );
}

function Actions({ instance }: { instance: InstanceDetailDto }) {
  const client = useQueryClient();
  const reasonId = useId();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['instance', instance.id] });
  const cancel = useMutation({
    mutationFn: () => api.post(`/api/instances/${instance.id}/cancel`, reason.trim() === '' ? {} : { reason: reason.trim() }),
    onSuccess: () => {
      setConfirming(false);
      setDone('The instance was cancelled.');
      void refresh();
    },
  });
  const retry = useMutation({
    mutationFn: () => api.post(`/api/instances/${instance.id}/retry`),
    onSuccess: () => {
      setDone('Retry started: the failed step runs again.');
      void refresh();
    },
  });
  const allowed = instanceActions(instance.status);
  return (
    <div className="instance-actions">
      {allowed.retry && (
        <button type="button" className="primary" onClick={() => retry.mutate()} disabled={retry.isPending}>
          {retry.isPending ? 'Retrying…' : 'Retry'}
        </button>
      )}
      {allowed.cancel && !confirming && (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Cancel instance…
        </button>
      )}
      {confirming && (
        <form
          className="card instance-confirm"
          aria-label="Confirm cancelling"
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate();
          }}
        >
          <p>
            <strong>Cancel this instance?</strong> Its open tasks are withdrawn and it will not continue.
          </p>
          <label htmlFor={reasonId}>Reason (optional)</label>
          <input id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} autoFocus />
          <div className="instance-actions">
            <button type="submit" className="danger" disabled={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel it'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it running
            </button>
          </div>
        </form>
      )}
      <div role="status" aria-live="polite" className="instance-action-status">
        {done && <span className="banner banner-ok">{done}</span>}
      </div>
      <ErrorBanner error={cancel.error} title="Cancel refused" />
      <ErrorBanner error={retry.error} title="Retry refused" />
    </div>
  );
}

export function InstancePage({ instanceId }: { instanceId: string }) {
  const [selected, setSelected] = useState<string | null>(null);
  const instance = useQuery({
    queryKey: ['instance', instanceId],
    queryFn: ({ signal }) => api.get<InstanceDetailDto>(`/api/instances/${encodeURIComponent(instanceId)}`, signal),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? LIVE_MS : false),
  });
  const definitionId = instance.data?.workflowDefinitionId;
  const definition = useQuery({
    queryKey: ['definition', definitionId],
    queryFn: ({ signal }) => api.get<DefinitionDto>(`/api/definitions/${definitionId}`, signal),
    enabled: definitionId !== undefined,
    staleTime: Infinity,
  });
  const live = instance.data ? isLive(instance.data.status) : false;
  const history = useQuery({
    queryKey: ['instance', instanceId, 'history', instance.data?.status, instance.data?.nodes.length],
    queryFn: ({ signal }) => api.get<{ items: HistoryItemDto[] }>(`/api/instances/${encodeURIComponent(instanceId)}/history`, signal),
    enabled: instance.isSuccess,
    refetchInterval: live ? LIVE_MS : false,
    placeholderData: (previous) => previous,
  });
  const verify = useQuery({
    queryKey: ['instance', instanceId, 'verify', history.data?.items.length],
    queryFn: ({ signal }) => api.get<HistoryVerificationDto>(`/api/instances/${encodeURIComponent(instanceId)}/history/verify`, signal),
    enabled: history.isSuccess,
    placeholderData: (previous) => previous,
  });

  if (instance.isPending) return <Loading what="Loading the instance" />;
  if (instance.isError) {
    return (
      <Page title="Instance">
        <ErrorBanner error={instance.error} title="The instance could not be read" />
        <p>
          <Link href="/instances">Back to the instances</Link>
        </p>
      </Page>
    );
  }
  const i = instance.data;
  return (
    <Page title={`${i.workflowName} v${i.workflowVersion}`} actions={<Actions instance={i} />}>
      <div className="instance-summary card">
        <dl className="context">
          <dt>Status</dt>
          <dd data-testid="instance-status">
            <StatusBadge status={i.status} />
            {i.atRisk && <span className="badge urgency-at-risk">At risk</span>}
            {live && <span className="muted"> (updates every few seconds)</span>}
          </dd>
          {(i.contextEntityType || i.contextEntityId) && (
            <>
              <dt>Business key</dt>
              <dd>
                {i.contextEntityType && <span className="muted">{i.contextEntityType} </span>}
                {i.contextEntityId}
              </dd>
            </>
          )}
          <dt>Started by</dt>
          <dd>
            {i.startedBy} <span className="muted">({i.triggerType})</span>
          </dd>
          <dt>Started</dt>
          <dd>
            <When at={i.startedAt} />
          </dd>
          <dt>Finished</dt>
          <dd>
            <When at={i.completedAt} />
          </dd>
          {i.slaDeadline && (
            <>
              <dt>SLA deadline</dt>
              <dd>
                <When at={i.slaDeadline} />
                {i.slaPausedHours > 0 && <span className="muted"> (paused {i.slaPausedHours} h)</span>}
              </dd>
            </>
          )}
          {i.cancelReason && (
            <>
              <dt>Cancel reason</dt>
              <dd>{i.cancelReason}</dd>
            </>
          )}
          {i.parentInstanceId && (
            <>
              <dt>Parent instance</dt>
              <dd>
                <Link href={`/instances/${i.parentInstanceId}`}>{i.parentInstanceId}</Link>
              </dd>
            </>
          )}
          <dt>Definition</dt>
          <dd>
            <Link href={`/definitions/${encodeURIComponent(i.workflowName)}`}>
              {i.workflowName}, version {i.workflowVersion}
            </Link>
          </dd>
        </dl>
      </div>

      <section aria-labelledby="diagram-title">
        <h2 id="diagram-title">Diagram</h2>
        {definition.isError && <ErrorBanner error={definition.error} title="The definition could not be read" />}
        {definition.isPending && <Loading what="Loading the definition" />}
        {definition.data && (
          <Diagram
            definition={definition.data}
            executions={i.nodes}
            selected={selected}
            onSelect={setSelected}
            label={`${i.workflowName} version ${i.workflowVersion}, coloured by this instance's progress`}
            idPrefix="instance-diagram"
          />
        )}
        <div className="instance-node" aria-live="polite">
          <NodeDetails instance={i} definition={definition.data} history={history.data?.items ?? []} nodeId={selected} />
        </div>
      </section>

      <section aria-labelledby="context-title">
        <h2 id="context-title">Context</h2>
        <ContextView context={i.contextData} title="Instance context" />
      </section>

      {history.isError && <ErrorBanner error={history.error} title="The history could not be read" />}
      {verify.isError && <ErrorBanner error={verify.error} title="The history could not be verified" />}
      {history.data ? <Timeline instance={i} history={history.data.items} verify={verify.data} /> : !history.isError && <Loading what="Loading the history" />}
    </Page>
  );
}
