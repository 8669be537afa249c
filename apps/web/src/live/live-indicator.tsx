/** "Live" / "Reconnecting…" beside a list that updates itself, and the polite region that announces changes. */

import { STATUS_TEXT, type LiveStatus } from './live-text';
import './live.css';

export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span className={`live-indicator live-${status}`} data-testid="live-status" data-status={status}>
      <span className="live-dot" aria-hidden="true" />
      {STATUS_TEXT[status]}
    </span>
  );
}

export function LiveAnnouncer({ text }: { text: string }) {
  return (
    <p className="visually-hidden" role="status" aria-live="polite" data-testid="live-announcement">
      {text}
    </p>
  );
}
