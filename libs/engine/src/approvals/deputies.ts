/**
 * Deputies while away: whom a user stands in for right now. A window says "while U is away,
 * from `startsAt` to `endsAt`, D acts for U", optionally only in some workflows or for some
 * roles. Chains (D is away too and names E) are followed a few hops, never round a loop. Pure.
 */

export interface DeputyWindow {
  readonly id: string;
  /** the absent user */
  readonly userId: string;
  readonly deputyUserId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** workflow names the window covers; null: all */
  readonly workflows: readonly string[] | null;
  /** task roles the window covers; null: all */
  readonly roles: readonly string[] | null;
}

/** An absent user someone stands in for, with what the chain of windows covers. */
export interface Principal {
  readonly userId: string;
  /** the deputies in between, nearest the absent user first (empty: a direct window) */
  readonly via: readonly string[];
  readonly workflows: readonly string[] | null;
  readonly roles: readonly string[] | null;
}

/** Hops of a chain followed: U → D → E → F. */
export const MAX_DEPUTY_HOPS = 3;

export function isActive(window: DeputyWindow, at: Date): boolean {
  return window.startsAt <= at && at < window.endsAt;
}

function narrowed(a: readonly string[] | null, b: readonly string[] | null): readonly string[] | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.filter((x) => b.includes(x));
}

/** The absent users `userId` stands in for at `at`, each once, by the shortest chain. */
export function principalsOf(userId: string, windows: readonly DeputyWindow[], at: Date): Principal[] {
  const active = windows.filter((w) => isActive(w, at));
  const found = new Map<string, Principal>();
  // breadth first from the deputy back to the absent: shortest chains win, loops end at `seen`
  let frontier: Principal[] = [{ userId, via: [], workflows: null, roles: null }];
  const seen = new Set([userId]);
  for (let hop = 0; hop < MAX_DEPUTY_HOPS && frontier.length > 0; hop++) {
    const next: Principal[] = [];
    for (const deputy of frontier) {
      for (const w of active) {
        if (w.deputyUserId !== deputy.userId || seen.has(w.userId)) continue;
        seen.add(w.userId);
        const principal: Principal = {
          userId: w.userId,
          via: deputy.userId === userId ? [] : [deputy.userId, ...deputy.via],
          workflows: narrowed(deputy.workflows, w.workflows),
          roles: narrowed(deputy.roles, w.roles),
        };
        found.set(w.userId, principal);
        next.push(principal);
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

/** Whether a task held by `principal` in person is covered by the chain's limits. */
export function covers(principal: Principal, task: { workflowName: string; assignedRole: string | null }): boolean {
  if (principal.workflows !== null && !principal.workflows.includes(task.workflowName)) return false;
  return principal.roles === null || (task.assignedRole !== null && principal.roles.includes(task.assignedRole));
}

/** Windows of one user overlap when each starts before the other ends. */
export function overlaps(a: Pick<DeputyWindow, 'startsAt' | 'endsAt'>, b: Pick<DeputyWindow, 'startsAt' | 'endsAt'>): boolean {
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}
