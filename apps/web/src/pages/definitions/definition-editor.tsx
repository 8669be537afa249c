/**
 * A definition written as JSON, with line numbers beside it, saved with POST /api/definitions.
 * Invalid JSON is caught here (with its line); the engine's save-time problems come back as JSON
 * paths, each listed with the line it comes from (json-lines.ts) as a button that puts the cursor
 * on that line.
 */

import { useMutation } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorBanner } from '../../components/error-banner';
import type { DefinitionDto } from './definition-types';
import { lineRange, locateProblems, syntaxProblems, type LocatedProblem } from './json-lines';

interface Props {
  /** the text to start from (the latest version, or a template) */
  readonly initial: string;
  readonly onCreated: (created: DefinitionDto) => void;
  readonly title: string;
}

export function DefinitionEditor({ initial, onCreated, title }: Props) {
  const [text, setText] = useState(initial);
  const [problems, setProblems] = useState<{ kind: 'syntax' | 'api'; items: LocatedProblem[] } | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const id = useId();
  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const problemLines = useMemo(() => new Set((problems?.items ?? []).map((p) => p.line)), [problems]);

  const save = useMutation({
    mutationFn: (body: unknown) => api.post<DefinitionDto>('/api/definitions', body),
    onSuccess: (created) => {
      setProblems(null);
      onCreated(created);
    },
    onError: (err, _body) => {
      if (err instanceof ApiError && err.details.length > 0) {
        setProblems({ kind: 'api', items: locateProblems(text, err.details) });
      } else {
        setProblems(null);
      }
    },
  });

  const submit = () => {
    save.reset();
    const syntax = syntaxProblems(text);
    if (syntax.length > 0) {
      setProblems({ kind: 'syntax', items: syntax.map((s) => ({ path: null, message: `${s.message} (column ${s.column})`, line: s.line })) });
      return;
    }
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      setProblems({ kind: 'syntax', items: [{ path: null, message: 'the definition must be a JSON object { … }', line: 1 }] });
      return;
    }
    setProblems(null);
    save.mutate(body);
  };

  const goToLine = (line: number | null) => {
    const el = textarea.current;
    if (!el || line === null) return;
    const { start, end } = lineRange(el.value, line);
    el.focus();
    el.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (line - 1) * lineHeight - el.clientHeight / 3);
    if (gutter.current) gutter.current.scrollTop = el.scrollTop;
  };

  const count = problems?.items.length ?? 0;
  return (
    <section aria-labelledby={`${id}-title`} className="def-editor">
      <h2 id={`${id}-title`}>{title}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={`${id}-json`} className="def-editor-label">
          Definition JSON
        </label>
        <p id={`${id}-hint`} className="muted">
          The body of POST /api/definitions: saving under an existing name creates its next version. Problems are listed below with their lines.
        </p>
        <div className="def-editor-box">
          <div className="def-gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lineCount }, (_, i) => (
              <div key={i} className={problemLines.has(i + 1) ? 'def-gutter-problem' : undefined}>
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            id={`${id}-json`}
            ref={textarea}
            value={text}
            spellCheck={false}
            wrap="off"
            rows={24}
            aria-describedby={`${id}-hint`}
            aria-invalid={count > 0 ? true : undefined}
            onChange={(e) => setText(e.target.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
        <div className="def-editor-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Create version'}
          </button>
          <button type="button" onClick={() => setText(initial)}>
            Start over
          </button>
        </div>
      </form>
      <div aria-live="polite" data-testid="definition-problems">
        {problems && count > 0 && (
          <div className="banner banner-error def-problems">
            <h3>
              {problems.kind === 'syntax' ? 'The text is not valid JSON' : `The definition has ${count} problem${count === 1 ? '' : 's'}`}
            </h3>
            <ul>
              {problems.items.map((p, i) => (
                <li key={i}>
                  <button type="button" className="link-button" onClick={() => goToLine(p.line)} data-line={p.line ?? ''}>
                    {p.line !== null ? `Line ${p.line}` : 'Somewhere'}
                    {p.path ? `: ${p.path}` : ''}
                  </button>{' '}
                  — {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      {save.isError && !(save.error instanceof ApiError && save.error.details.length > 0) && <ErrorBanner error={save.error} title="The version was not saved" />}
    </section>
  );
}
