/** Time left until a deadline, counting down once a minute (every second in the last minutes). */

import { useEffect, useState } from 'react';

function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const minutes = Math.floor(abs / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  if (minutes > 0) return `${mins}m`;
  return `${Math.floor(abs / 1000)}s`;
}

/** `2h 5m left` or `overdue by 3h 1m`, for a deadline at `dueAt` (ISO) seen at `now`. */
function timeLeftText(dueAt: string, now: number): string {
  const left = Date.parse(dueAt) - now;
  return left >= 0 ? `${formatDuration(left)} left` : `overdue by ${formatDuration(left)}`;
}

export function Countdown({ dueAt }: { dueAt: string | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!dueAt) return;
    const near = Math.abs(Date.parse(dueAt) - Date.now()) < 5 * 60_000;
    const timer = setInterval(() => setNow(Date.now()), near ? 1000 : 30_000);
    return () => clearInterval(timer);
  }, [dueAt, now]);
  if (!dueAt) return <span className="muted">no deadline</span>;
  return (
    <time dateTime={dueAt} title={new Date(dueAt).toLocaleString()}>
      {timeLeftText(dueAt, now)}
    </time>
  );
}
