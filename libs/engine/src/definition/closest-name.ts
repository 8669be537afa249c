/** "Did you mean": the known name nearest to a mistyped one, when it is near enough to be a typo. */
import { distance } from 'fastest-levenshtein';

/** Edits (insert, delete, replace) a typo may be away from the name meant. */
const MAX_TYPO_DISTANCE = 2;

/**
 * The candidate nearest to `word` by edit distance, ignoring case, or `null` when none is at most
 * two edits away or when the edits would rewrite half the candidate (`"x"` is no typo of `"id"`).
 * Ties go to the candidate listed first.
 */
export function closestName(word: string, candidates: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d > MAX_TYPO_DISTANCE || d * 2 >= candidate.length || d >= bestDistance) continue;
    best = candidate;
    bestDistance = d;
  }
  return best;
}

/** `unknown field "slaHour" (did you mean "slaHours"?)`, or without the question when nothing is close. */
export function unknownNameMessage(kind: string, word: string, candidates: Iterable<string>): string {
  const suggestion = closestName(word, candidates);
  return `unknown ${kind} "${word}"${suggestion === null ? '' : ` (did you mean "${suggestion}"?)`}`;
}
