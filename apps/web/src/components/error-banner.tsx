/** A failed request, said plainly: the API's message and code, and each detail with what it names. */

import { ApiError } from '../api/client';

export function ErrorBanner({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="banner banner-error" role="alert">
      <strong>{title}:</strong> {message}
      {api && <span className="muted"> ({api.code})</span>}
      {api && api.details.length > 0 && (
        <ul>
          {api.details.map((d, i) => (
            <li key={i}>
              {d.path && <code>{d.path}</code>} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
