/**
 * The server's validation errors, placed beside the fields they name. The API answers a bad form
 * with `details: [{ path: 'data.amount', message: 'must be >= 1' }]` (the data's root, then the
 * JSON pointer as dots); a missing property is reported on its parent (`path: 'data', message:
 * "must have required property 'phone'"`) and belongs beside `phone`. The result is an rjsf
 * error schema (`extraErrors`): `{ amount: { __errors: ['must be >= 1'] } }`.
 */

export interface ErrorDetail {
  readonly path?: string;
  readonly message: string;
}

export interface ErrorNode {
  __errors?: string[];
  [key: string]: ErrorNode | string[] | undefined;
}

/** `data.items[0].qty` or `data.items.0.qty` under the root `data` → `['items', '0', 'qty']`; null when the path is not under the root. */
export function segmentsOf(path: string | undefined, root: string): string[] | null {
  if (path === undefined) return null;
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  if (parts[0] !== root) return null;
  return parts.slice(1);
}

const REQUIRED = /^must have required property '([^']+)'$/;

function add(tree: ErrorNode, segments: readonly string[], message: string): void {
  let node = tree;
  for (const segment of segments) {
    const next = node[segment];
    if (next === undefined || Array.isArray(next)) node[segment] = {};
    node = node[segment] as ErrorNode;
  }
  (node.__errors ??= []).push(message);
}

/**
 * The error schema of `details` under `root`, and the details that name no field of the form
 * (another root, no path): those are for a banner.
 */
export function errorSchemaOf(details: readonly ErrorDetail[], root: string): { errorSchema: ErrorNode; unplaced: ErrorDetail[] } {
  const errorSchema: ErrorNode = {};
  const unplaced: ErrorDetail[] = [];
  for (const detail of details) {
    const segments = segmentsOf(detail.path, root);
    if (segments === null) {
      unplaced.push(detail);
      continue;
    }
    const missing = REQUIRED.exec(detail.message);
    if (missing?.[1] !== undefined) add(errorSchema, [...segments, missing[1]], detail.message);
    else add(errorSchema, segments, detail.message);
  }
  return { errorSchema, unplaced };
}

/** How many messages an error schema holds. */
export function errorCount(node: ErrorNode): number {
  let n = node.__errors?.length ?? 0;
  for (const [key, child] of Object.entries(node)) {
    if (key !== '__errors' && child && !Array.isArray(child)) n += errorCount(child);
  }
  return n;
}
