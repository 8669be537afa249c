/** Dates and ids as the search and incident tables show them. */

/** A short, readable date and time in the person's locale; `—` for none. */
export function formatWhen(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * The last 8 hex digits of a UUID: enough to tell instances apart in a list (the first block of a
 * time-ordered UUID is the same for instances started in the same minute).
 */
export function shortId(id: string): string {
  const hex = id.replace(/-/g, '');
  return hex.length > 8 ? hex.slice(-8) : id;
}
