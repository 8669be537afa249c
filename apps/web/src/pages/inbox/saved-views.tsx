/**
 * Saved views, stored on the server per user (`/api/views?page=inbox|tasks`): apply one (its
 * filters replace the current ones), save the current filters under a name (the same name
 * replaces), delete one.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, query } from '../../api/client';
import { ErrorBanner } from '../../components/error-banner';
import { filtersFrom, filtersToView, sameFilters, type InboxFilters } from './inbox-filters';

export interface SavedView {
  readonly id: string;
  readonly page: string;
  readonly name: string;
  readonly filters: Record<string, unknown>;
}

export function SavedViews({ page, filters, onApply }: { page: 'inbox' | 'tasks'; filters: InboxFilters; onApply: (filters: InboxFilters) => void }) {
  const queryClient = useQueryClient();
  const key = ['views', page];
  const nameId = useId();
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const views = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<{ items: SavedView[] }>(`/api/views${query({ page })}`, signal) });

  const save = useMutation({
    mutationFn: (viewName: string) => api.put<SavedView>(`/api/views/${page}/${encodeURIComponent(viewName)}`, { filters: filtersToView(filters) }),
    onSuccess: (view) => {
      setMessage(`Saved the view “${view.name}”.`);
      setName('');
      void queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const remove = useMutation({
    mutationFn: (viewName: string) => api.del(`/api/views/${page}/${encodeURIComponent(viewName)}`),
    onSuccess: (_, viewName) => {
      setMessage(`Deleted the view “${viewName}”.`);
      void queryClient.invalidateQueries({ queryKey: key });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // the API says what a good name is
    save.mutate(name.trim());
  };

  const items = views.data?.items ?? [];
  return (
    <section className="saved-views" aria-labelledby={`${nameId}-h`}>
      <h2 id={`${nameId}-h`}>Saved views</h2>
      {views.error && <ErrorBanner error={views.error} title="Saved views could not be read" />}
      {items.length === 0 && !views.isPending ? (
        <p className="muted">No saved views yet.</p>
      ) : (
        <ul className="view-list">
          {items.map((view) => {
            const current = sameFilters(filtersFrom(view.filters), filters);
            return (
              <li key={view.id} className={current ? 'view current' : 'view'}>
                <button type="button" className="link-button" aria-pressed={current} aria-label={`Apply view ${view.name}`} onClick={() => onApply(filtersFrom(view.filters))}>
                  {view.name}
                </button>
                <button
                  type="button"
                  className="view-delete"
                  aria-label={`Delete view ${view.name}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(view.name)}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form className="view-save" onSubmit={submit}>
        <label htmlFor={nameId}>Save these filters as</label>
        <div className="view-save-row">
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="View name" autoComplete="off" />
          <button type="submit" disabled={save.isPending}>
            Save view
          </button>
        </div>
      </form>
      <ErrorBanner error={save.error} title="The view was not saved" />
      <ErrorBanner error={remove.error} title="The view was not deleted" />
      <p className="visually-hidden" role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
