/**
 * Compiling one user task's `formSchema` (JSON Schema draft-07, by Ajv) on its own: a fresh Ajv
 * instance per schema, so an `$id` in one tenant's form is never seen by another form, nothing is
 * ever fetched (`loadSchema` is not set), and patterns run on RE2 (linear time).
 *
 * Before Ajv sees the schema, its size and nesting are bounded, each pattern is compiled with RE2
 * and each `$ref` to an absolute URI is checked against the `$id`s declared inside the schema:
 * those problems come back with their path inside the schema.
 */
import Ajv, { MissingRefError, type ValidateFunction } from 'ajv';
import { compileLinearPattern, linearRegExp } from './form-pattern-engine';

/** Bounds on a form schema, checked before it is compiled. */
export interface FormSchemaLimits {
  /** largest schema, as serialised JSON in UTF-8 bytes. Default 65536 (64 KiB). */
  readonly maxBytes: number;
  /** deepest nesting of objects and arrays, the schema itself being 1. Default 32. */
  readonly maxDepth: number;
}

const DEFAULT_FORM_SCHEMA_LIMITS: FormSchemaLimits = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 32 });

export interface FormSchemaProblem {
  /** where inside the schema: `''` for the schema itself, else `.properties.code.pattern` and the like */
  readonly path: string;
  readonly message: string;
}

export type FormSchemaCompilation =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly problems: readonly FormSchemaProblem[] };

export interface FormSchemaOptions {
  /**
   * Ajv's strict schema mode: unknown and ignored keywords are refused. On where a definition is
   * saved; off where an already stored form is compiled to check a submission, so a form saved
   * before strictness came in still works.
   */
  readonly strict: boolean;
  readonly limits?: FormSchemaLimits;
}

/** at most this many problems from the meta-schema check: one bad keyword can raise several */
const MAX_META_PROBLEMS = 20;

type Segment = string | number;

function pathOf(segments: readonly Segment[]): string {
  return segments
    .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deeper than `max`? Iterative, so a hostile nesting cannot overflow the stack here. */
function nestingExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** keywords whose value is one subschema (draft-07 as Ajv runs it) */
const SINGLE = ['not', 'if', 'then', 'else', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames'];
/** keywords whose value is a list of subschemas */
const LISTS = ['allOf', 'anyOf', 'oneOf'];
/** keywords whose value maps names to subschemas (`dependencies` may also map to property lists) */
const MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function resolveUri(base: string, ref: string): string {
  try {
    return ABSOLUTE_URI.test(base) ? new URL(ref, base).href : ref;
  } catch {
    return ref;
  }
}

function withoutFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash === -1 ? uri : uri.slice(0, hash);
}

interface RefSite {
  readonly path: string;
  readonly raw: string;
  /** absolute, without fragment, when the `$ref` names another document */
  readonly document: string | null;
}

/** One pass over the schema's subschemas: pattern problems, declared `$id`s, every `$ref`. */
function survey(schema: Record<string, unknown>): { problems: FormSchemaProblem[]; ids: Set<string>; refs: RefSite[] } {
  const problems: FormSchemaProblem[] = [];
  const ids = new Set<string>();
  const refs: RefSite[] = [];
  const checkPattern = (pattern: string, at: Segment[]) => {
    try {
      compileLinearPattern(pattern);
    } catch (err) {
      problems.push({ path: pathOf(at), message: `pattern "${pattern}" is not supported: ${(err as Error).message} (patterns run on RE2: no lookaround, no backreferences)` });
    }
  };
  const visit = (node: unknown, at: Segment[], base: string) => {
    if (!isObject(node)) return;
    let here = base;
    if (typeof node.$id === 'string') {
      here = resolveUri(base, node.$id);
      ids.add(withoutFragment(here));
    }
    if (typeof node.$ref === 'string') {
      const doc = withoutFragment(node.$ref);
      const resolved = doc === '' ? null : withoutFragment(resolveUri(here, doc));
      refs.push({ path: pathOf([...at, '$ref']), raw: node.$ref, document: resolved !== null && ABSOLUTE_URI.test(resolved) ? resolved : null });
    }
    if (typeof node.pattern === 'string') checkPattern(node.pattern, [...at, 'pattern']);
    if (isObject(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) checkPattern(key, [...at, 'patternProperties', key]);
    }
    for (const k of SINGLE) visit(node[k], [...at, k], here);
    for (const k of LISTS) {
      const list = node[k];
      if (Array.isArray(list)) list.forEach((s, i) => visit(s, [...at, k, i], here));
    }
    if (Array.isArray(node.items)) node.items.forEach((s, i) => visit(s, [...at, 'items', i], here));
    else visit(node.items, [...at, 'items'], here);
    for (const k of MAPS) {
      const map = node[k];
      if (isObject(map)) for (const [name, s] of Object.entries(map)) visit(s, [...at, k, name], here);
    }
  };
  visit(schema, [], '');
  return { problems, ids, refs };
}

/** A JSON pointer from Ajv (`/properties/0`) as a path, walking the schema to tell list indexes. */
function pointerPath(schema: unknown, pointer: string): string {
  const segments: Segment[] = [];
  let node: unknown = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Number(key);
    const seg: Segment = Array.isArray(node) && Number.isInteger(index) ? index : key;
    segments.push(seg);
    node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[seg] : undefined;
  }
  return pathOf(segments);
}

function newAjv(strict: boolean): Ajv {
  return new Ajv({
    allErrors: true,
    strictSchema: strict,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // `format` stays an annotation, as it always was here: no format is checked
    validateFormats: false,
    code: { regExp: linearRegExp },
    // no console output from library code; strict problems are thrown, not logged
    logger: false,
  });
}

function metaProblems(ajv: Ajv, schema: Record<string, unknown>): FormSchemaProblem[] {
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch (err) {
    // an unknown `$schema`: Ajv has no such meta-schema and fetches none
    return [{ path: '.$schema', message: (err as Error).message }];
  }
  if (valid) return [];
  const seen = new Set<string>();
  const out: FormSchemaProblem[] = [];
  for (const e of ajv.errors ?? []) {
    const p = { path: pointerPath(schema, e.instancePath), message: `not a valid JSON Schema: ${e.message ?? 'invalid'}` };
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
    if (out.length >= MAX_META_PROBLEMS) break;
  }
  return out;
}

function refProblem(refs: readonly RefSite[], err: MissingRefError): FormSchemaProblem {
  const missing = err.missingRef;
  const site = refs.find((r) => r.raw === missing || missing.endsWith(r.raw) || (r.document !== null && r.document === withoutFragment(err.missingSchema)));
  return {
    path: site?.path ?? '',
    message: `$ref "${site?.raw ?? missing}" does not resolve within this schema; a form may refer only to its own parts, and nothing is fetched`,
  };
}

/** Compile `schema` on a fresh Ajv. Never throws for a bad schema: problems come back with their paths. */
export function compileFormSchema(schema: Record<string, unknown>, opts: FormSchemaOptions): FormSchemaCompilation {
  const limits = opts.limits ?? DEFAULT_FORM_SCHEMA_LIMITS;
  if (nestingExceeds(schema, limits.maxDepth)) {
    return { ok: false, problems: [{ path: '', message: `the form schema nests deeper than ${limits.maxDepth} levels` }] };
  }
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > limits.maxBytes) {
    return { ok: false, problems: [{ path: '', message: `the form schema is ${bytes} bytes; the limit is ${limits.maxBytes}` }] };
  }
  const { problems, ids, refs } = survey(schema);
  for (const r of refs) {
    if (r.document !== null && !ids.has(r.document)) {
      problems.push({ path: r.path, message: `$ref "${r.raw}" points outside this schema; a form may refer only to its own parts, and nothing is fetched` });
    }
  }
  const ajv = newAjv(opts.strict);
  problems.push(...metaProblems(ajv, schema));
  if (problems.length > 0) return { ok: false, problems };
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (err) {
    if (err instanceof MissingRefError) return { ok: false, problems: [refProblem(refs, err)] };
    return { ok: false, problems: [{ path: '', message: (err as Error).message }] };
  }
}
