/**
 * Workflow definitions. Without a name: every workflow with its versions (GET /api/definitions),
 * and a new workflow written as JSON. For one workflow: its versions, which are active,
 * activate/deactivate, two versions' diagrams side by side, and the next version written as JSON
 * starting from the latest. Creating and (de)activating are an admin's: the API refuses anyone
 * else, so only admins are offered them.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, query } from '../../api/client';
import { isAdmin, useUser } from '../../api/session';
import { StatusBadge } from '../../components/badges';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { Diagram } from '../../diagram/diagram';
import { DefinitionEditor } from './definition-editor';
import { editableJson, type DefinitionDto, type PageDto } from './definition-types';
import './definitions.css';

const PAGE = 500;
const MAX_PAGES = 20;

/** Every version (of one workflow, when `name` is given), newest first. */
async function allDefinitions(name: string | undefined, signal: AbortSignal): Promise<DefinitionDto[]> {
  const items: DefinitionDto[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i += 1) {
    const page: PageDto<DefinitionDto> = await api.get(`/api/definitions${query({ name, limit: PAGE, cursor })}`, signal);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return items;
}

const NEW_WORKFLOW = JSON.stringify(
  {
    name: 'My workflow',
    description: 'What it is for',
    nodes: [
      { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'manager' },
      { id: 'done', nodeType: 'service_task', name: 'Mark done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
    ],
    routes: [{ fromNodeId: 'review', toNodeId: 'done' }],
  },
  null,
  2,
);

function when(at: string): string {
  return new Date(at).toLocaleString();
}

function Created({ created }: { created: DefinitionDto | null }) {
  return (
    <div role="status" aria-live="polite">
      {created && (
        <p className="banner banner-ok" data-testid="definition-created">
          Version {created.version} of “{created.name}” created{created.isActive ? ' and active' : ''}.
        </p>
      )}
    </div>
  );
}

function WorkflowList() {
  const user = useUser();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const [created, setCreated] = useState<DefinitionDto | null>(null);
  const list = useQuery({ queryKey: ['definitions', 'all'], queryFn: ({ signal }) => allDefinitions(undefined, signal) });
  const workflows = useMemo(() => {
    const byName = new Map<string, DefinitionDto[]>();
    for (const d of list.data ?? []) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    return [...byName.entries()]
      .map(([name, versions]) => ({ name, versions: [...versions].sort((a, b) => b.version - a.version) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [list.data]);
  return (
    <Page title="Definitions">
      <Created created={created} />
      {list.isPending && <Loading what="Loading the definitions" />}
      {list.isError && <ErrorBanner error={list.error} title="The definitions could not be read" />}
      {list.data && (
        <section aria-labelledby="workflows-title">
          <h2 id="workflows-title">Workflows</h2>
          {workflows.length === 0 ? (
            <p>No workflow is defined yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="muted def-caption">{workflows.length} workflows, each with its versions</caption>
                <thead>
                  <tr>
                    <th scope="col">Workflow</th>
                    <th scope="col">Versions</th>
                    <th scope="col">Active versions</th>
                    <th scope="col">Latest</th>
                    <th scope="col">Category</th>
                  </tr>
                </thead>
                <tbody>
                  {workflows.map((w) => {
                    const latest = w.versions[0] as DefinitionDto;
                    const active = w.versions.filter((v) => v.isActive).map((v) => `v${v.version}`);
                    return (
                      <tr key={w.name}>
                        <th scope="row">
                          <Link href={`/definitions/${encodeURIComponent(w.name)}`}>{w.name}</Link>
                          {latest.description && <div className="muted def-description">{latest.description}</div>}
                        </th>
                        <td>{w.versions.length}</td>
                        <td>{active.length > 0 ? active.join(', ') : <span className="muted">none</span>}</td>
                        <td>
                          v{latest.version} <span className="muted">{when(latest.createdAt)}</span>
                        </td>
                        <td>{latest.category ?? <span className="muted">—</span>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      {isAdmin(user) ? (
        <DefinitionEditor
          title="New workflow"
          initial={NEW_WORKFLOW}
          onCreated={(def) => {
            setCreated(def);
            void client.invalidateQueries({ queryKey: ['definitions'] });
            navigate(`/definitions/${encodeURIComponent(def.name)}`);
          }}
        />
      ) : (
        <p className="muted">Only an admin may create workflows.</p>
      )}
    </Page>
  );
}

function VersionRow({ def, admin }: { def: DefinitionDto; admin: boolean }) {
  const client = useQueryClient();
  const toggle = useMutation({
    mutationFn: () => api.post<DefinitionDto>(`/api/definitions/${def.id}/${def.isActive ? 'deactivate' : 'activate'}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['definitions'] }),
  });
  return (
    <tr data-version={def.version}>
      <th scope="row">v{def.version}</th>
      <td>
        <StatusBadge status={def.isActive ? 'active' : 'inactive'} />
      </td>
      <td>
        {def.nodes.length} steps, {def.routes.length} routes
      </td>
      <td>
        {def.createdBy} <span className="muted">{when(def.createdAt)}</span>
      </td>
      {admin && (
        <td>
          <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending} aria-label={`${def.isActive ? 'Deactivate' : 'Activate'} version ${def.version}`}>
            {def.isActive ? 'Deactivate' : 'Activate'}
          </button>
          <ErrorBanner error={toggle.error} title={`Version ${def.version} was not ${def.isActive ? 'deactivated' : 'activated'}`} />
        </td>
      )}
    </tr>
  );
}

function VersionSelect({ label, versions, value, onChange }: { label: string; versions: readonly DefinitionDto[]; value: string; onChange: (id: string) => void }) {
  const id = useId();
  return (
    <span className="def-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            Version {v.version}
            {v.isActive ? ' (active)' : ''}
          </option>
        ))}
      </select>
    </span>
  );
}

/** Node ids of `a` that `b` lacks. */
function onlyIn(a: DefinitionDto, b: DefinitionDto): string[] {
  const ids = new Set(b.nodes.map((n) => n.id));
  return a.nodes.filter((n) => !ids.has(n.id)).map((n) => n.name || n.id);
}

function Compare({ versions }: { versions: readonly DefinitionDto[] }) {
  const [leftId, setLeftId] = useState((versions[1] ?? versions[0])?.id ?? '');
  const [rightId, setRightId] = useState(versions[0]?.id ?? '');
  const left = versions.find((v) => v.id === leftId) ?? versions[1] ?? versions[0];
  const right = versions.find((v) => v.id === rightId) ?? versions[0];
  if (!left || !right) return null;
  const sides = [
    { key: 'left', label: 'Left version', def: left, other: right, set: setLeftId },
    { key: 'right', label: 'Right version', def: right, other: left, set: setRightId },
  ];
  return (
    <section aria-labelledby="compare-title">
      <h2 id="compare-title">Versions side by side</h2>
      <div className="grid-2 def-compare">
        {sides.map((s) => {
          const extra = onlyIn(s.def, s.other);
          return (
            <div key={s.key} className="card" data-testid={`compare-${s.key}`} data-version={s.def.version}>
              <div className="filters">
                <VersionSelect label={s.label} versions={versions} value={s.def.id} onChange={s.set} />
              </div>
              <h3>
                Version {s.def.version} <StatusBadge status={s.def.isActive ? 'active' : 'inactive'} />
              </h3>
              <p className="muted">
                {s.def.nodes.length} steps, {s.def.routes.length} routes.{' '}
                {s.def.id !== s.other.id && (extra.length > 0 ? `Only here: ${extra.join(', ')}.` : `No step that version ${s.other.version} lacks.`)}
              </p>
              <Diagram key={s.def.id} definition={s.def} label={`${s.def.name} version ${s.def.version}`} compact idPrefix={`compare-${s.key}-diagram`} />
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Workflow({ name }: { name: string }) {
  const user = useUser();
  const admin = isAdmin(user);
  const client = useQueryClient();
  const [created, setCreated] = useState<DefinitionDto | null>(null);
  const list = useQuery({ queryKey: ['definitions', 'name', name], queryFn: ({ signal }) => allDefinitions(name, signal) });
  const versions = useMemo(() => [...(list.data ?? [])].filter((d) => d.name === name).sort((a, b) => b.version - a.version), [list.data, name]);
  const latest = versions[0];
  return (
    <Page
      title={name}
      actions={
        <>
          <Link href="/definitions">All definitions</Link>
          {versions.some((v) => v.isActive) && (
            <Link className="button" href={`/start/${encodeURIComponent(name)}`}>
              Start an instance
            </Link>
          )}
        </>
      }
    >
      <Created created={created} />
      {list.isPending && <Loading what="Loading the versions" />}
      {list.isError && <ErrorBanner error={list.error} title="The versions could not be read" />}
      {list.data && versions.length === 0 && <p>No workflow is called “{name}”.</p>}
      {latest && (
        <>
          {latest.description && <p>{latest.description}</p>}
          <section aria-labelledby="versions-title">
            <h2 id="versions-title">Versions</h2>
            <p className="muted">New instances run the latest active version.</p>
            <div className="table-wrap">
              <table data-testid="versions">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Size</th>
                    <th scope="col">Created</th>
                    {admin && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <VersionRow key={v.id} def={v} admin={admin} />
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <Compare key={`compare-${versions.map((v) => v.id).join()}`} versions={versions} />
          {admin ? (
            <DefinitionEditor
              key={`editor-${latest.id}`}
              title={`New version (from version ${latest.version})`}
              initial={editableJson(latest)}
              onCreated={(def) => {
                setCreated(def);
                void client.invalidateQueries({ queryKey: ['definitions'] });
              }}
            />
          ) : (
            <p className="muted">Only an admin may create or activate versions.</p>
          )}
        </>
      )}
    </Page>
  );
}

export function DefinitionsPage({ workflowName }: { workflowName?: string }) {
  return workflowName === undefined ? <WorkflowList /> : <Workflow name={workflowName} />;
}
