import type { ValidateFunction } from 'ajv';
import { UnprocessableError, ValidationError, type JsonObject } from '@wf/engine';
import { compileFormSchema, type FormSchemaLimits, type FormSchemaProblem } from './form-schema-compiler';

export interface FormValidatorOptions {
  /** how many compiled forms to keep, least recently used dropped first. Default 1000. */
  readonly cacheSize?: number;
  /** bounds on a form schema; default `DEFAULT_FORM_SCHEMA_LIMITS` (64 KiB, 32 levels) */
  readonly limits?: FormSchemaLimits;
}

/** Which form: a definition version is immutable, so its id and the node id name one schema for good. */
export interface FormKey {
  readonly definitionId: string;
  readonly nodeId: string;
}

type Compiled = { readonly validate: ValidateFunction } | { readonly problems: readonly FormSchemaProblem[] };

/** What a failed check is called: the schema's and the data's root in paths, and the two errors. */
interface CheckErrors {
  readonly schemaPath: string;
  readonly dataPath: string;
  readonly schemaInvalid: readonly [code: string, message: string];
  readonly dataInvalid: readonly [code: string, message: string];
}

/** at most this many problems listed for one submission */
const MAX_DETAILS = 50;

/**
 * Validates user-task submissions against the node's `formSchema`, and start contexts against
 * the definition's `contextSchema`. Each schema is compiled on its own Ajv (see `compileFormSchema`)
 * once: when its definition is saved (`adopt`), or, in a process that did not save it, the first
 * time it is needed; compiled schemas are kept in a bounded cache.
 */
export class FormValidator {
  private readonly cache = new Map<string, Compiled>();
  private readonly cacheSize: number;

  constructor(private readonly options: FormValidatorOptions = {}) {
    this.cacheSize = Math.max(1, options.cacheSize ?? 1000);
  }

  /** Throws `FORM_VALIDATION_FAILED` (400) when `data` does not match; `FORM_SCHEMA_INVALID` (422) when a stored form cannot be compiled. */
  validate(key: FormKey, schema: Record<string, unknown> | null, data: JsonObject): void {
    this.check(`form:${key.definitionId}/${key.nodeId}`, schema, data, {
      schemaPath: 'formSchema',
      dataPath: 'data',
      schemaInvalid: ['FORM_SCHEMA_INVALID', `the form of node "${key.nodeId}" cannot be checked; save a corrected version of the workflow`],
      dataInvalid: ['FORM_VALIDATION_FAILED', 'the submitted data does not match the task form'],
    });
  }

  /**
   * The start context against the definition's `contextSchema`: `CONTEXT_VALIDATION_FAILED` (400)
   * when it does not match, `CONTEXT_SCHEMA_INVALID` (422) when a stored schema cannot be compiled.
   */
  validateContext(definitionId: string, schema: Readonly<Record<string, unknown>> | null, data: JsonObject): void {
    this.check(`context:${definitionId}`, schema, data, {
      schemaPath: 'contextSchema',
      dataPath: 'contextData',
      schemaInvalid: ['CONTEXT_SCHEMA_INVALID', `the contextSchema of workflow definition ${definitionId} cannot be checked; save a corrected version of the workflow`],
      dataInvalid: ['CONTEXT_VALIDATION_FAILED', "contextData does not match the workflow's contextSchema"],
    });
  }

  /**
   * Keep the validators a definition's save compiled (strictly, which a lenient use also
   * accepts), so that in this process each of its schemas is compiled once, with the definition.
   */
  adopt(definitionId: string, compiled: { readonly context?: ValidateFunction; readonly forms: ReadonlyMap<string, ValidateFunction> }): void {
    if (compiled.context) this.keep(`context:${definitionId}`, { validate: compiled.context });
    for (const [nodeId, validate] of compiled.forms) this.keep(`form:${definitionId}/${nodeId}`, { validate });
  }

  private check(id: string, schema: Readonly<Record<string, unknown>> | null, data: JsonObject, errors: CheckErrors): void {
    if (!schema) return;
    const compiled = this.compiled(id, schema);
    if ('problems' in compiled) {
      const [code, message] = errors.schemaInvalid;
      throw new UnprocessableError(code, message, compiled.problems.map((p) => ({ path: `${errors.schemaPath}${p.path}`, message: p.message })));
    }
    if (!compiled.validate(data)) {
      const [code, message] = errors.dataInvalid;
      throw new ValidationError(code, message, detailsOf(compiled.validate, errors.dataPath));
    }
  }

  private compiled(id: string, schema: Readonly<Record<string, unknown>>): Compiled {
    const hit = this.cache.get(id);
    if (hit) {
      // most recently used goes to the end
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    // a form already stored is checked leniently (strict: false): a form saved before strict mode still works
    const result = compileFormSchema(schema as Record<string, unknown>, { strict: false, ...(this.options.limits ? { limits: this.options.limits } : {}) });
    const entry: Compiled = result.ok ? { validate: result.validate } : { problems: result.problems };
    this.keep(id, entry);
    return entry;
  }

  private keep(id: string, entry: Compiled): void {
    this.cache.delete(id);
    this.cache.set(id, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }
}

function detailsOf(check: ValidateFunction, root: string): { path: string; message: string }[] {
  return (check.errors ?? []).slice(0, MAX_DETAILS).map((e) => ({
    path: `${root}${e.instancePath.replace(/\//g, '.')}`,
    message: e.message ?? 'invalid',
  }));
}
