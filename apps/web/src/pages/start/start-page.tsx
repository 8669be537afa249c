/**
 * Start a workflow: the active workflows (GET /api/definitions?isActive=true), then for the one
 * picked a form for its context (rjsf from its `contextSchema`, else JSON typed in a text box,
 * its problems said before sending), the business key, and POST /api/instances; then the new
 * instance, its status and where it waits.
 */

import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, ApiError, query } from '../../api/client';
import { StatusBadge } from '../../components/badges';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { errorCount, errorSchemaOf, type ErrorNode } from '../task/form-errors';
import { SchemaForm } from '../task/schema-form';
import type { PageOf } from '../task/task-types';
import { parseContext } from './context-json';
import './start.css';
import type { DefinitionSummaryDto } from '../../api/types';

interface Definition extends DefinitionSummaryDto {
  readonly contextSchema: Record<string, unknown> | null;
}

interface Instance {
  readonly id: string;
  readonly status: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly contextEntityId: string | null;
  readonly nodes?: readonly { readonly nodeId: string; readonly name: string | null; readonly status: string }[];
}

function Started({ started }: { started: Instance }) {
  const instance = useQuery({
    queryKey: ['instances', started.id, 'start-view'],
    queryFn: ({ signal }) => api.get<Instance>(`/api/instances/${started.id}`, signal),
    initialData: started,
    // the first steps run at once: read it again a few times while it runs
    refetchInterval: (q) => (q.state.data?.status === 'running' && q.state.dataUpdateCount < 6 ? 1500 : false),
  });
  const now = instance.data;
  const waiting = (now.nodes ?? []).filter((n) => n.status === 'waiting');
  return (
    <div className="banner banner-ok started" role="status" data-testid="started">
      <p>
        <strong>Started</strong> {now.workflowName} (version {now.workflowVersion})
        {now.contextEntityId && <> for {now.contextEntityId}</>}: <StatusBadge status={now.status} />
      </p>
      {waiting.length > 0 && <p>Waiting at: {waiting.map((n) => n.name ?? n.nodeId).join(', ')}</p>}
      <p>
        <Link href={`/instances/${now.id}`}>Open the instance</Link> <span className="muted">({now.id})</span>
      </p>
    </div>
  );
}

function StartForm({ definition }: { definition: Definition }) {
  const id = useId();
  const [entityType, setEntityType] = useState('');
  const [entityId, setEntityId] = useState('');
  const [json, setJson] = useState('{\n  \n}');
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [formData, setFormData] = useState<unknown>({});
  const [fieldErrors, setFieldErrors] = useState<ErrorNode>({});
  const start = useMutation({
    mutationFn: (contextData: Record<string, unknown>) =>
      api.post<Instance>('/api/instances', {
        workflowName: definition.name,
        contextData,
        ...(entityType.trim() ? { contextEntityType: entityType.trim() } : {}),
        ...(entityId.trim() ? { contextEntityId: entityId.trim() } : {}),
      }),
    onMutate: () => setFieldErrors({}),
    onError: (err) => {
      if (err instanceof ApiError) setFieldErrors(errorSchemaOf(err.details, 'contextData').errorSchema);
    },
  });
  const schema = definition.contextSchema;

  const submitJson = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseContext(json);
    if (!parsed.ok) {
      setJsonProblem(parsed.message);
      document.getElementById(`${id}-json`)?.focus();
      return;
    }
    setJsonProblem(null);
    start.mutate(parsed.value);
  };

  const keyFields = (
    <fieldset className="business-key">
      <legend>Business key (optional)</legend>
      <label>
        Key
        <input value={entityId} onChange={(e) => setEntityId(e.target.value)} autoComplete="off" placeholder="PO-1001" />
      </label>
      <label>
        Kind of record
        <input value={entityType} onChange={(e) => setEntityType(e.target.value)} autoComplete="off" placeholder="purchase_order" />
      </label>
    </fieldset>
  );

  if (start.data) {
    return (
      <>
        <Started started={start.data} />
        <button type="button" onClick={() => start.reset()}>
          Start another
        </button>
      </>
    );
  }

  const placed = errorCount(fieldErrors);
  return (
    <section className="card start-form" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        {definition.name} <span className="muted">version {definition.version}</span>
      </h2>
      {definition.description && <p>{definition.description}</p>}
      {start.error && (
        <ErrorBanner error={start.error} title={placed > 0 ? 'The request was not accepted (see the fields marked below)' : 'The workflow did not start'} />
      )}
      {keyFields}
      {schema ? (
        <SchemaForm
          schema={schema}
          formData={formData}
          onChange={setFormData}
          onSubmit={(data) => start.mutate((data ?? {}) as Record<string, unknown>)}
          errors={fieldErrors}
          submitText="Start"
          busy={start.isPending}
          idPrefix="context"
        />
      ) : (
        <form onSubmit={submitJson} className="json-form" noValidate>
          <label htmlFor={`${id}-json`}>Request details (JSON object)</label>
          <p className="muted small" id={`${id}-json-help`}>
            This workflow names no fields; type them as JSON, for example {'{"amount": 5000, "supplier": "Acme"}'}.
          </p>
          <textarea
            id={`${id}-json`}
            className="json-input"
            value={json}
            onChange={(e) => setJson(e.target.value)}
            rows={8}
            spellCheck={false}
            aria-invalid={jsonProblem !== null}
            aria-describedby={jsonProblem ? `${id}-json-error ${id}-json-help` : `${id}-json-help`}
          />
          {jsonProblem && (
            <p id={`${id}-json-error`} className="field-error" role="alert">
              {jsonProblem}
            </p>
          )}
          <button type="submit" className="primary" disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Start'}
          </button>
        </form>
      )}
    </section>
  );
}

export function StartPage({ workflowName }: { workflowName?: string }) {
  const definitions = useQuery({
    queryKey: ['definitions', 'active'],
    queryFn: ({ signal }) => api.get<PageOf<Definition>>(`/api/definitions${query({ isActive: true, limit: 500 })}`, signal),
  });
  const items = useMemo(() => [...(definitions.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name)), [definitions.data]);
  const picked = workflowName ? items.find((d) => d.name === workflowName) : undefined;

  return (
    <Page title={picked ? `Start: ${picked.name}` : 'Start a workflow'}>
      {definitions.error && <ErrorBanner error={definitions.error} title="The workflows could not be read" />}
      {definitions.isPending ? (
        <Loading what="Reading the workflows" />
      ) : (
        <div className="start-layout">
          <nav aria-label="Workflows you can start" className="start-list">
            <h2>Workflows</h2>
            {items.length === 0 ? (
              <p className="muted">No active workflow yet.</p>
            ) : (
              <ul>
                {items.map((d) => (
                  <li key={d.id}>
                    <Link href={`/start/${encodeURIComponent(d.name)}`} aria-current={d.name === workflowName ? 'page' : undefined}>
                      {d.name}
                    </Link>
                    {d.description && <span className="muted small-block">{d.description}</span>}
                  </li>
                ))}
              </ul>
            )}
          </nav>
          <div className="start-main">
            {picked ? (
              <StartForm key={picked.id} definition={picked} />
            ) : workflowName ? (
              <p className="banner banner-error" role="alert">
                No active workflow is named “{workflowName}”. Pick one from the list.
              </p>
            ) : (
              <p className="muted">Pick the workflow to start.</p>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}
