/** The instance's conversation (comments and the comments given with decisions), and a box to add one. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ErrorBanner } from '../../components/error-banner';
import { Loading } from '../../components/page';
import { threadOf } from './thread';
import { taskKeys, type CommentItem, type HistoryItem } from './task-types';

export function CommentsThread({ instanceId }: { instanceId: string }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const comments = useQuery({
    queryKey: taskKeys.comments(instanceId),
    queryFn: ({ signal }) => api.get<{ items: CommentItem[] }>(`/api/instances/${instanceId}/comments`, signal),
  });
  const history = useQuery({
    queryKey: taskKeys.history(instanceId),
    queryFn: ({ signal }) => api.get<{ items: HistoryItem[] }>(`/api/instances/${instanceId}/history`, signal),
    retry: false,
  });
  const post = useMutation({
    mutationFn: (body: string) => api.post<CommentItem>(`/api/instances/${instanceId}/comments`, { text: body }),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['instances', instanceId] });
    },
  });
  const entries = useMemo(() => threadOf(comments.data?.items ?? [], history.data?.items ?? []), [comments.data, history.data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    post.mutate(text);
  };

  return (
    <section className="card thread" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Comments</h2>
      {comments.error && <ErrorBanner error={comments.error} title="The comments could not be read" />}
      {comments.isPending ? (
        <Loading what="Reading the comments" />
      ) : entries.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol className="thread-list" aria-live="polite" data-testid="comment-thread">
          {entries.map((entry) => (
            <li key={entry.id} className="thread-entry">
              <p className="thread-meta">
                <strong>{entry.author}</strong> <span className="muted">{entry.action}</span>{' '}
                <time className="muted" dateTime={entry.at}>
                  {new Date(entry.at).toLocaleString()}
                </time>
              </p>
              <p className="thread-text">{entry.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={submit} className="comment-form">
        <label htmlFor={`${id}-text`}>Add a comment</label>
        <textarea id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} rows={3} />
        <button type="submit" disabled={post.isPending}>
          {post.isPending ? 'Posting…' : 'Post comment'}
        </button>
      </form>
      <ErrorBanner error={post.error} title="The comment was not posted" />
    </section>
  );
}
