/**
 * A request's context shown readably: fields as a definition list, nested objects indented, lists
 * as lists, with the raw JSON one click away. Every value is rendered as text by React, so a
 * value holding HTML or a script shows as those characters and never runs.
 */

import { Fragment } from 'react';

export function humanize(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/^\w/, (c) => c.toUpperCase());
}

function Value({ value, depth }: { value: unknown; depth: number }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  if (typeof value === 'number') return <>{value.toLocaleString()}</>;
  if (typeof value === 'string') return <>{value}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">empty list</span>;
    return (
      <ul className="context-list">
        {value.map((item, i) => (
          <li key={i}>
            <Value value={item} depth={depth + 1} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object') {
    if (depth >= 4) return <code>{JSON.stringify(value)}</code>;
    return <ContextFields context={value as Record<string, unknown>} depth={depth + 1} />;
  }
  return <>{String(value)}</>;
}

function ContextFields({ context, depth }: { context: Record<string, unknown>; depth: number }) {
  const entries = Object.entries(context);
  if (entries.length === 0) return <span className="muted">no fields</span>;
  return (
    <dl className={`context depth-${depth}`}>
      {entries.map(([key, value]) => (
        <Fragment key={key}>
          <dt>{humanize(key)}</dt>
          <dd>
            <Value value={value} depth={depth} />
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function ContextView({ context, title = 'Request details' }: { context: unknown; title?: string }) {
  return (
    <section aria-label={title} className="context-view">
      {typeof context === 'object' && context !== null && !Array.isArray(context) ? (
        <ContextFields context={context as Record<string, unknown>} depth={0} />
      ) : (
        <Value value={context} depth={0} />
      )}
      <details>
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify(context, null, 2)}</pre>
      </details>
    </section>
  );
}
