/**
 * CEL expressions type-checked against a definition's `contextSchema`, the JSON Schema of its
 * context, so that `context.amount > "x"` is refused when the definition is saved rather than
 * failing the node that runs it. Nothing here evaluates: expressions still run in the untyped
 * environment of cel-expression.ts, over `{ context: map, instance: map }`.
 *
 * How a JSON Schema maps to a CEL type:
 * - `integer` -> `int`, `number` -> `double`, `string` -> `string`, `boolean` -> `bool`;
 * - `array` -> `list<T>` of its `items` (`list<dyn>` without `items` or with a tuple);
 * - `object` with `properties` -> an object type with one field per property. A key it does not
 *   list is `dyn` (or typed by an `additionalProperties` schema): the context also holds what
 *   forms, `set_context` and `resultVariable` add. With `additionalProperties: false` such a key
 *   is refused (`No such key: amout`);
 * - `object` without `properties` -> `map<string, T>`, T from `additionalProperties` or `dyn`;
 * - anything else (no `type`, several types, a nullable type, `$ref`, `anyOf`, ...) -> `dyn`,
 *   checked only when it runs.
 *
 * A JSON number reaches CEL as an `int` when it is integral, so a `number` field may hold either
 * at run time. Comparing it with `==`, `!=`, `in`, `<` and mixing it in `+ - * /` with an `int`
 * is allowed, as the runtime allows it; `%` is not (declare the field `integer`).
 */
import { Environment } from '@marcbachmann/cel-js';
import { closestName } from '../definition/closest-name';
import type { ExpressionCheck } from './cel-expression';

type SchemaPath = readonly (string | number)[];

export interface ContextSchemaProblem {
  /** where inside `contextSchema`: `[]` for itself, `['properties', 'amount', 'type']` and the like */
  readonly path: SchemaPath;
  readonly message: string;
}

type CelShape =
  | { readonly kind: 'scalar'; readonly type: 'int' | 'double' | 'string' | 'bool' | 'dyn' }
  | { readonly kind: 'list'; readonly item: CelShape }
  | { readonly kind: 'map'; readonly value: CelShape }
  | {
      readonly kind: 'object';
      readonly fields: ReadonlyMap<string, CelShape>;
      /** the type of keys not listed; `null` when they are refused (`additionalProperties: false`) */
      readonly others: CelShape | null;
    };

const JSON_SCHEMA_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

/** Nesting beyond this is not looked into: deeper values are `dyn`. */
const MAX_SCHEMA_DEPTH = 32;

const DYN: CelShape = { kind: 'scalar', type: 'dyn' };

const SCALARS: ReadonlyMap<string, CelShape> = new Map([
  ['integer', { kind: 'scalar', type: 'int' }],
  ['number', { kind: 'scalar', type: 'double' }],
  ['string', { kind: 'scalar', type: 'string' }],
  ['boolean', { kind: 'scalar', type: 'bool' }],
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): boolean {
  return isRecord(value) || typeof value === 'boolean';
}

/** The problems of the schema keywords the mapping reads; every other keyword is left alone. */
function schemaProblems(schema: Record<string, unknown>, path: SchemaPath, depth: number, out: ContextSchemaProblem[]): void {
  if (depth > MAX_SCHEMA_DEPTH) {
    out.push({ path, message: `nested deeper than ${MAX_SCHEMA_DEPTH} levels` });
    return;
  }
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : null;
  if (schema.type !== undefined) {
    if (types === null || types.length === 0) {
      out.push({ path: [...path, 'type'], message: 'type must be a type name or a list of them' });
    }
    (types ?? []).forEach((type: unknown, index) => {
      if (typeof type === 'string' && JSON_SCHEMA_TYPES.includes(type)) return;
      const suggestion = typeof type === 'string' ? closestName(type, JSON_SCHEMA_TYPES) : null;
      out.push({
        path: typeof schema.type === 'string' ? [...path, 'type'] : [...path, 'type', index],
        message: `unknown type ${JSON.stringify(type)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known: ${JSON_SCHEMA_TYPES.join(', ')}`,
      });
    });
  }
  if (schema.properties !== undefined) {
    if (!isRecord(schema.properties)) {
      out.push({ path: [...path, 'properties'], message: 'properties must be an object of schemas' });
    } else {
      for (const [key, property] of Object.entries(schema.properties)) {
        if (isRecord(property)) schemaProblems(property, [...path, 'properties', key], depth + 1, out);
        else if (!isSchema(property)) out.push({ path: [...path, 'properties', key], message: 'a property is a schema (an object)' });
      }
    }
  }
  for (const keyword of ['items', 'additionalProperties'] as const) {
    const sub = schema[keyword];
    if (sub === undefined) continue;
    if (isRecord(sub)) schemaProblems(sub, [...path, keyword], depth + 1, out);
    else if (!isSchema(sub) && !(keyword === 'items' && Array.isArray(sub))) {
      out.push({ path: [...path, keyword], message: `${keyword} must be a schema (an object) or a boolean` });
    }
  }
}

/**
 * What is wrong with a `contextSchema` for type-checking: it must be an object schema (the
 * context is an object), and `type`, `properties`, `items` and `additionalProperties` must be
 * well formed wherever they occur. An empty list means the schema can be used. Whether it is
 * valid JSON Schema beyond these keywords is for a JSON Schema validator to say.
 */
export function contextSchemaProblems(schema: unknown): ContextSchemaProblem[] {
  if (!isRecord(schema)) return [{ path: [], message: 'contextSchema must be a JSON Schema object' }];
  const out: ContextSchemaProblem[] = [];
  if (schema.type !== undefined && schema.type !== 'object') {
    out.push({ path: ['type'], message: 'the context is an object: type must be "object"' });
  }
  schemaProblems(schema, [], 1, out);
  return out;
}

function shapeOf(schema: unknown, depth: number): CelShape {
  if (!isRecord(schema) || depth > MAX_SCHEMA_DEPTH) return DYN;
  const type = schema.type ?? (schema.properties !== undefined ? 'object' : schema.items !== undefined ? 'array' : undefined);
  if (typeof type !== 'string') return DYN;
  const scalar = SCALARS.get(type);
  if (scalar) return scalar;
  if (type === 'array') return { kind: 'list', item: isRecord(schema.items) ? shapeOf(schema.items, depth + 1) : DYN };
  if (type !== 'object') return DYN;
  const extra = schema.additionalProperties;
  const others = extra === false ? null : isRecord(extra) ? shapeOf(extra, depth + 1) : DYN;
  if (!isRecord(schema.properties)) return others === null ? { kind: 'object', fields: new Map(), others } : { kind: 'map', value: others };
  const fields = new Map<string, CelShape>();
  for (const [key, property] of Object.entries(schema.properties)) fields.set(key, shapeOf(property, depth + 1));
  return { kind: 'object', fields, others };
}

/** Names an expression reads as fields: `a.b`, `a.?b`, `a["b"]`. */
function fieldNames(ast: unknown, into: Set<string>): void {
  const stack: unknown[] = [ast];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    if (Array.isArray(item)) {
      stack.push(...(item as unknown[]));
      continue;
    }
    const node = item as { op?: unknown; args?: unknown };
    if (typeof node.op !== 'string') continue;
    const args = node.args;
    if (Array.isArray(args)) {
      const key: unknown = args[1];
      if ((node.op === '.' || node.op === '.?') && typeof key === 'string') into.add(key);
      const literal = key as { op?: unknown; args?: unknown } | undefined;
      if ((node.op === '[]' || node.op === '[?]') && literal?.op === 'value' && typeof literal.args === 'string') {
        into.add(literal.args);
      }
      stack.push(...(args as unknown[]));
    }
  }
}

/** Parses only, to find field names; the checks run in the typed environment below. */
const parser = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

/** The typed environment only checks; its operators never run. */
function checkOnly(): never {
  throw new Error('the context type-check environment does not evaluate');
}

/**
 * The typed twin of cel-expression.ts's environment: the same options and mixed `int`/`double`
 * arithmetic, `context` typed by the schema, plus `==` and `in` across `int` and `double`, which
 * the runtime allows on its untyped values. `names` are the field names the checked expressions
 * read: each object type that allows unlisted keys gets them as fields of its `others` type.
 */
function typedEnvironment(root: CelShape, names: ReadonlySet<string>): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false, limits: { maxAstNodes: 1000, maxDepth: 50 } });
  const used = new Set<string>();
  const typeName = (shape: CelShape, name: string): string => {
    switch (shape.kind) {
      case 'scalar':
        return shape.type;
      case 'list':
        return `list<${typeName(shape.item, `${name}_item`)}>`;
      case 'map':
        return `map<string, ${typeName(shape.value, `${name}_value`)}>`;
      case 'object': {
        const base = name.replace(/[^A-Za-z0-9_]/g, '_');
        let unique = base;
        for (let n = 2; used.has(unique); n += 1) unique = `${base}_${n}`;
        used.add(unique);
        const fields: Record<string, string> = {};
        for (const [key, field] of shape.fields) fields[key] = typeName(field, `${unique}_${key}`);
        if (shape.others !== null) {
          const others = typeName(shape.others, `${unique}_value`);
          for (const key of names) if (!shape.fields.has(key)) fields[key] = others;
        }
        env.registerType(unique, { fields });
        return unique;
      }
    }
  };
  env.registerVariable('context', typeName(root, 'Context')).registerVariable('instance', 'map');
  for (const op of ['+', '-', '*', '/']) {
    env.registerOperator(`int ${op} double: double`, checkOnly);
    env.registerOperator(`double ${op} int: double`, checkOnly);
  }
  // registering one direction of `==` registers the other, and `!=` with both
  env.registerOperator('double == int', checkOnly);
  env.registerOperator('double in list<int>', checkOnly);
  env.registerOperator('int in list<double>', checkOnly);
  return env;
}

function summarize(err: unknown): string {
  if (err instanceof Error) {
    const summary = (err as { summary?: unknown }).summary;
    if (typeof summary === 'string' && summary) return summary;
    return err.message.split('\n')[0] ?? err.message;
  }
  return String(err);
}

/**
 * Type-checks each expression against `contextSchema` (which `contextSchemaProblems` found
 * usable), one result per source in order: its CEL type, or why it does not fit. Expressions
 * should already pass `checkExpression`; one that does not parse is reported here as well.
 */
export function checkExpressionsAgainstContext(contextSchema: Record<string, unknown>, sources: readonly string[]): ExpressionCheck[] {
  const names = new Set<string>();
  for (const source of sources) {
    try {
      fieldNames(parser.parse(source).ast, names);
    } catch {
      // reported by the typed check below
    }
  }
  const env = typedEnvironment(shapeOf(contextSchema, 1), names);
  return sources.map((source): ExpressionCheck => {
    try {
      const result = env.check(source);
      if (result.valid) return { ok: true, type: result.type ?? 'dyn' };
      return { ok: false, message: result.error ? summarize(result.error) : 'invalid expression' };
    } catch (err) {
      return { ok: false, message: summarize(err) };
    }
  });
}
