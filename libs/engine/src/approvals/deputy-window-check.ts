/** The checks of a deputy window a user declares, before it is stored (all 400s, each named). */

import { ValidationError } from '../errors/engine-errors';
import type { Actor } from '../runtime/model';
import { isAdmin } from '../runtime/task-access';
import { overlaps, type DeputyWindow } from './deputies';

/** Longest window: a year (an absence, not a standing delegation). */
export const MAX_DEPUTY_WINDOW_DAYS = 366;

export interface DeputyRequest {
  readonly userId: string;
  readonly deputyUserId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/** `details` lists the problems, as every 400 of the API does. */
function invalid(code: string, message: string, path: string): ValidationError {
  return new ValidationError(code, message, [{ path, message }]);
}

/** Who may declare it, and a window that makes sense; `existing` are the user's overlapping windows. */
export function checkDeputyWindow(actor: Actor, w: DeputyRequest, now: Date, existing: readonly DeputyWindow[]): void {
  if (w.userId !== actor.userId && !isAdmin(actor)) {
    throw new ValidationError('NOT_YOUR_ABSENCE', `only ${w.userId} or an admin may declare a deputy for ${w.userId}`);
  }
  if (w.deputyUserId === w.userId) throw invalid('DEPUTY_IS_SELF', 'a deputy stands in for someone else: deputyUserId is the absent user', 'deputyUserId');
  if (w.endsAt <= w.startsAt) throw invalid('DEPUTY_WINDOW_INVERTED', `endsAt (${w.endsAt.toISOString()}) must be after startsAt (${w.startsAt.toISOString()})`, 'endsAt');
  if (w.endsAt <= now) throw invalid('DEPUTY_WINDOW_PAST', `the window ended at ${w.endsAt.toISOString()}, before now`, 'endsAt');
  if (w.endsAt.getTime() - w.startsAt.getTime() > MAX_DEPUTY_WINDOW_DAYS * 86_400_000) {
    throw invalid('DEPUTY_WINDOW_TOO_LONG', `a window is at most ${MAX_DEPUTY_WINDOW_DAYS} days`, 'endsAt');
  }
  const clash = existing.find((e) => e.userId === w.userId && overlaps(e, w));
  if (clash) {
    throw invalid(
      'DEPUTY_WINDOW_OVERLAP',
      `${w.userId} already has a deputy (${clash.deputyUserId}) from ${clash.startsAt.toISOString()} to ${clash.endsAt.toISOString()} (window ${clash.id}): windows of one user may not overlap`,
      'startsAt',
    );
  }
}
