/**
 * Parameters written as SQL literals, for `EXECUTE name(...)` sent in the simple protocol together
 * with COMMIT: one round trip where the extended protocol needs two. Quoting follows pg's own
 * `escapeLiteral` (quotes doubled, `E''` with doubled backslashes when there are any), so it holds
 * whatever `standard_conforming_strings` says. The literals are untyped: the prepared statement's
 * parameter types decide how each is read.
 */

export function sqlString(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${String(value).replace(/["\\]/g, '\\$&')}"`;
}

function literal(value: unknown): string | null {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value.includes('\0') ? null : sqlString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? `'${value}'` : null;
  if (typeof value === 'boolean') return value ? "'true'" : "'false'";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : `'${value.toISOString()}'`;
  if (Array.isArray(value)) {
    const text = `{${value.map(arrayElement).join(',')}}`;
    return text.includes('\0') ? null : sqlString(text);
  }
  return null;
}

/**
 * The parameters as a literal list for `EXECUTE name(<list>)`, or null when one of them cannot be
 * written as a literal (a NUL character, which the simple protocol cannot carry; an unknown type):
 * the caller then binds them in the extended protocol instead.
 */
export function sqlLiteralList(params: readonly unknown[]): string | null {
  const out: string[] = [];
  for (const p of params) {
    const l = literal(p);
    if (l === null) return null;
    out.push(l);
  }
  return out.join(', ');
}
