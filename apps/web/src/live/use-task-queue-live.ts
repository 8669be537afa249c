/**
 * A page's live view of the task queue: on each change the queries under `invalidate` are read
 * again (plus every 30 s, in case a change was missed), and a polite announcement says what
 * entered or left ("1 new task").
 */

import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queueAnnouncement, type LiveStatus } from './live-text';
import { subscribeTaskQueue } from './task-queue-live';

/** Read the queue again this often even when no change arrives. */
export const BACKSTOP_MS = 30_000;
/** Changes within this window are announced together. */
const ANNOUNCE_AFTER_MS = 400;

export interface LiveQueue {
  readonly status: LiveStatus;
  /** the latest announcement (empty until something changes) */
  readonly announcement: string;
}

export function useTaskQueueLive(invalidate: QueryKey, enabled = true): LiveQueue {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [announcement, setAnnouncement] = useState('');
  const keyRef = useRef(invalidate);
  keyRef.current = invalidate;

  useEffect(() => {
    if (!enabled) return;
    let entered = 0;
    let left = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refetch = () => void queryClient.invalidateQueries({ queryKey: keyRef.current });
    const stop = subscribeTaskQueue({
      onStatus: (next) => {
        setStatus(next);
        // back after a break: changes may have been missed
        if (next === 'live') refetch();
      },
      onChange: (change) => {
        if (change.change === 'ENTERED') entered += 1;
        if (change.change === 'LEFT') left += 1;
        refetch();
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const text = queueAnnouncement(entered, left);
          entered = 0;
          left = 0;
          if (text) setAnnouncement(text);
        }, ANNOUNCE_AFTER_MS);
      },
    });
    const backstop = setInterval(refetch, BACKSTOP_MS);
    return () => {
      stop();
      clearInterval(backstop);
      if (timer) clearTimeout(timer);
    };
  }, [queryClient, enabled]);

  return { status, announcement };
}
