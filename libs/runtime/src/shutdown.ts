/**
 * Ending the process within a deadline. Closing is graceful (the api stops taking requests,
 * workers finish their jobs, then queues and pools close), but nothing may hold the process past
 * the deadline: a BullMQ Worker closing gracefully waits for Redis, so a Redis that is gone would
 * otherwise keep a stopping process alive for ever.
 */

import type { Logger } from './logger';

/**
 * From the signal to exit. Orchestrators commonly send SIGKILL 10 s after SIGTERM (Docker,
 * Kubernetes' default grace period is longer); exiting on our own first leaves a line saying
 * what did not close.
 */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/** One thing to close, named for the log line when it does not close in time. */
export interface ClosingStep {
  readonly name: string;
  close(): Promise<void>;
}

export interface CloseOptions {
  readonly log: Logger;
  /** default SHUTDOWN_DEADLINE_MS */
  readonly deadlineMs?: number;
  /** how the deadline ends the process (with code 1); default process.exit */
  readonly exit?: (code: number) => void;
}

/**
 * Close `steps` one after another, in order; true once all have (a step that fails is logged and
 * counts as closed). Past the deadline, exit 1 at once with a log line naming the step still
 * closing and those never reached.
 */
export async function closeWithin(steps: readonly ClosingStep[], opts: CloseOptions): Promise<boolean> {
  const deadlineMs = opts.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let index = 0;
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    const closing = steps[index]?.name ?? 'a step';
    const notReached = steps.slice(index + 1).map((s) => s.name);
    opts.log.error(
      { deadlineMs, closing, notReached },
      `shutdown did not finish within ${deadlineMs} ms: ${closing} did not close${notReached.length > 0 ? ` (not reached: ${notReached.join(', ')})` : ''}; exiting`,
    );
    exit(1);
  }, deadlineMs);
  try {
    for (; index < steps.length; index += 1) {
      const step = steps[index] as ClosingStep;
      try {
        await step.close();
      } catch (err) {
        opts.log.error({ err: (err as Error).message, step: step.name }, 'error while stopping');
      }
      if (expired) return false;
    }
    return !expired;
  } finally {
    clearTimeout(timer);
  }
}
