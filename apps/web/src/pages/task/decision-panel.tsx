/**
 * The decisions a task allows, and only those (`allowedActions` of GET /api/tasks/:id): approve
 * with an optional comment, reject with a reason (required: refused here before anything is
 * sent), delegate to a user, send back for revision, claim, release, and (for an admin or the
 * node's manager role) reassign to a user or a role. The API decides whether the
 * action goes through; its refusal is shown as it said it.
 */

import { useId, useRef, useState, type FormEvent } from 'react';
import { ErrorBanner } from '../../components/error-banner';
import type { TaskAction, TaskDetail } from './task-types';

export type Decision =
  | { readonly action: 'approve'; readonly comments?: string }
  | { readonly action: 'reject'; readonly comments: string }
  | { readonly action: 'delegate'; readonly toUserId: string; readonly comments?: string }
  | { readonly action: 'return'; readonly comments: string }
  | { readonly action: 'claim' }
  | { readonly action: 'release' }
  | { readonly action: 'reassign'; readonly toUserId?: string; readonly toRole?: string; readonly comments?: string };

interface Props {
  readonly task: TaskDetail;
  readonly busy: TaskAction | null;
  readonly error: unknown;
  readonly onDecide: (decision: Decision) => void;
}

function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

export function DecisionPanel({ task, busy, error, onDecide }: Props) {
  const id = useId();
  const allowed = new Set(task.allowedActions);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [delegateTo, setDelegateTo] = useState('');
  const [delegateNote, setDelegateNote] = useState('');
  const [revise, setRevise] = useState('');
  const [reassignKind, setReassignKind] = useState<'user' | 'role'>('user');
  const [reassignTo, setReassignTo] = useState('');
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const disabled = busy !== null;

  const approve = (e: FormEvent) => {
    e.preventDefault();
    onDecide({ action: 'approve', comments: optional(comment) });
  };
  const reject = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === '') {
      setReasonMissing(true);
      reasonRef.current?.focus();
      return;
    }
    setReasonMissing(false);
    onDecide({ action: 'reject', comments: reason });
  };
  const delegate = (e: FormEvent) => {
    e.preventDefault();
    onDecide({ action: 'delegate', toUserId: delegateTo.trim(), comments: optional(delegateNote) });
  };
  const reassign = (e: FormEvent) => {
    e.preventDefault();
    const to = reassignTo.trim();
    onDecide({ action: 'reassign', ...(reassignKind === 'user' ? { toUserId: to } : { toRole: to }) });
  };
  const sendBack = (e: FormEvent) => {
    e.preventDefault();
    onDecide({ action: 'return', comments: revise });
  };

  const decides = allowed.has('approve') || allowed.has('reject') || allowed.has('delegate') || allowed.has('return') || allowed.has('claim') || allowed.has('release') || allowed.has('reassign');
  if (!decides) return null;

  return (
    <section className="card decision-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Your decision</h2>
      {task.actingFor && <p className="muted">You act for {task.actingFor}, as their deputy.</p>}
      <ErrorBanner error={error} title="The engine refused" />
      {(allowed.has('claim') || allowed.has('release')) && (
        <div className="hand-over">
          {allowed.has('claim') && (
            <button type="button" disabled={disabled} onClick={() => onDecide({ action: 'claim' })}>
              {busy === 'claim' ? 'Claiming…' : 'Claim this task'}
            </button>
          )}
          {allowed.has('release') && (
            <button type="button" disabled={disabled} onClick={() => onDecide({ action: 'release' })}>
              {busy === 'release' ? 'Releasing…' : 'Release to the role'}
            </button>
          )}
        </div>
      )}
      <div className="decision-forms">
        {allowed.has('approve') && (
          <form onSubmit={approve} className="decision approve" aria-label="Approve">
            <label htmlFor={`${id}-comment`}>Comment (optional)</label>
            <textarea id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
            <button type="submit" className="primary" disabled={disabled}>
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </button>
          </form>
        )}
        {allowed.has('reject') && (
          <form onSubmit={reject} className="decision reject" aria-label="Reject" noValidate>
            <label htmlFor={`${id}-reason`}>Reason for rejecting (required)</label>
            <textarea
              id={`${id}-reason`}
              ref={reasonRef}
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                if (e.target.value.trim() !== '') setReasonMissing(false);
              }}
              rows={3}
              required
              aria-required="true"
              aria-invalid={reasonMissing}
              aria-describedby={reasonMissing ? `${id}-reason-error` : undefined}
            />
            {reasonMissing && (
              <p id={`${id}-reason-error`} className="field-error" role="alert">
                Say why you reject it: a reason is required.
              </p>
            )}
            <button type="submit" className="danger" disabled={disabled}>
              {busy === 'reject' ? 'Rejecting…' : 'Reject'}
            </button>
          </form>
        )}
        {allowed.has('return') && (
          <form onSubmit={sendBack} className="decision return" aria-label="Send back for revision">
            <label htmlFor={`${id}-revise`}>What to revise{task.rounds ? ` (round ${task.rounds.used + 1} of ${task.rounds.max})` : ''}</label>
            <textarea id={`${id}-revise`} value={revise} onChange={(e) => setRevise(e.target.value)} rows={3} />
            <button type="submit" disabled={disabled}>
              {busy === 'return' ? 'Sending back…' : 'Send back for revision'}
            </button>
          </form>
        )}
        {allowed.has('delegate') && (
          <form onSubmit={delegate} className="decision delegate" aria-label="Delegate">
            <label htmlFor={`${id}-to`}>Delegate to (user id)</label>
            <input id={`${id}-to`} value={delegateTo} onChange={(e) => setDelegateTo(e.target.value)} autoComplete="off" />
            <label htmlFor={`${id}-to-note`}>Note for them (optional)</label>
            <textarea id={`${id}-to-note`} value={delegateNote} onChange={(e) => setDelegateNote(e.target.value)} rows={2} />
            <button type="submit" disabled={disabled}>
              {busy === 'delegate' ? 'Delegating…' : 'Delegate'}
            </button>
          </form>
        )}
        {allowed.has('reassign') && (
          <form onSubmit={reassign} className="decision reassign" aria-label="Reassign">
            <label htmlFor={`${id}-reassign-kind`}>Reassign to a</label>
            <select id={`${id}-reassign-kind`} value={reassignKind} onChange={(e) => setReassignKind(e.target.value === 'role' ? 'role' : 'user')}>
              <option value="user">user</option>
              <option value="role">role</option>
            </select>
            <label htmlFor={`${id}-reassign-to`}>{reassignKind === 'user' ? 'User id' : 'Role'}</label>
            <input id={`${id}-reassign-to`} value={reassignTo} onChange={(e) => setReassignTo(e.target.value)} autoComplete="off" />
            <button type="submit" disabled={disabled}>
              {busy === 'reassign' ? 'Reassigning…' : 'Reassign'}
            </button>
          </form>
        )}
      </div>
    </section>
  );
}
