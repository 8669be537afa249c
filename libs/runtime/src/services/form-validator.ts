import Ajv, { type ValidateFunction } from 'ajv';
import { ValidationError, type JsonObject } from '@wf/engine';

/**
 * Validates user-task submissions against the node's `formSchema` (JSON Schema, by ajv).
 * Validators are compiled once per schema and kept.
 */
export class FormValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  validate(schema: Record<string, unknown> | null, data: JsonObject): void {
    if (!schema) return;
    let check = this.compiled.get(schema);
    if (!check) {
      check = this.ajv.compile(schema);
      this.compiled.set(schema, check);
    }
    if (!check(data)) {
      const details = (check.errors ?? []).map((e) => ({
        path: `data${e.instancePath.replace(/\//g, '.')}`,
        message: e.message ?? 'invalid',
      }));
      throw new ValidationError('FORM_VALIDATION_FAILED', 'the submitted data does not match the task form', details);
    }
  }
}
