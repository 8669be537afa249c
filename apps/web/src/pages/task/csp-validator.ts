/**
 * A validator for rjsf that runs under the app's Content-Security-Policy. `@rjsf/validator-ajv8`
 * compiles each schema into a function with `new Function`, which `script-src 'self'` (no
 * `unsafe-eval`) forbids. The server checks every form against its schema anyway and its errors
 * are shown beside the fields (form-errors.ts), so this validator reports nothing on submit; it
 * only answers rjsf's "does this data fit this subschema?" (choosing a `oneOf`/`anyOf` option,
 * `if`/`then`, dependencies) by a structural check of type, const, enum, required and properties.
 */

import type { RJSFSchema, ValidationData, ValidatorType } from '@rjsf/utils';

type Schema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: unknown, value: unknown): boolean {
  const actual = typeOf(value);
  const accepts = (t: unknown) => t === actual || (t === 'number' && actual === 'integer');
  return Array.isArray(expected) ? expected.some(accepts) : accepts(expected);
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = typeof node === 'object' && node !== null ? (node as Schema)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return typeof node === 'object' && node !== null ? (node as Schema) : {};
}

/** Whether `value` fits `schema` as far as its type, const, enum, required and properties say. */
export function fits(schemaIn: unknown, value: unknown, root: Schema, depth = 0): boolean {
  if (schemaIn === true || schemaIn === undefined) return true;
  if (schemaIn === false) return false;
  if (typeof schemaIn !== 'object' || schemaIn === null || depth > 20) return true;
  const schema = resolve(schemaIn as Schema, root);
  if ('type' in schema && value !== undefined && !typeMatches(schema['type'], value)) return false;
  if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(value)) return false;
  if (Array.isArray(schema['enum']) && !schema['enum'].some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    if (Array.isArray(schema['required']) && schema['required'].some((k) => typeof k === 'string' && object[k] === undefined)) return false;
    const properties = schema['properties'];
    if (typeof properties === 'object' && properties !== null) {
      for (const [key, sub] of Object.entries(properties as Schema)) {
        if (object[key] !== undefined && !fits(sub, object[key], root, depth + 1)) return false;
      }
    }
  }
  if (Array.isArray(schema['allOf']) && !schema['allOf'].every((s) => fits(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema['anyOf']) && !schema['anyOf'].some((s) => fits(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema['oneOf']) && schema['oneOf'].filter((s) => fits(s, value, root, depth + 1)).length !== 1) return false;
  return true;
}

export const cspValidator: ValidatorType<unknown, RJSFSchema> = {
  validateFormData(): ValidationData<unknown> {
    return { errors: [], errorSchema: {} };
  },
  isValid(schema, formData, rootSchema) {
    return fits(schema, formData, rootSchema as Schema);
  },
  rawValidation() {
    return { errors: [] };
  },
};
