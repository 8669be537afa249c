/**
 * A form drawn from a JSON Schema (a user task's `formSchema`, a definition's `contextSchema`)
 * with @rjsf/core, its submit button the page's own, and the server's errors (`extraErrors`)
 * beside the fields they name. Validation is the server's (csp-validator.ts says why).
 */

import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import type { ErrorNode } from './form-errors';
import { cspValidator } from './csp-validator';
import './schema-form.css';

export interface SchemaFormProps {
  readonly schema: Record<string, unknown>;
  readonly formData: unknown;
  readonly onChange: (data: unknown) => void;
  readonly onSubmit: (data: unknown) => void;
  readonly errors: ErrorNode;
  readonly submitText: string;
  readonly busy: boolean;
  /** distinguishes the fields' ids when two forms could share a page */
  readonly idPrefix?: string;
}

export function SchemaForm({ schema, formData, onChange, onSubmit, errors, submitText, busy, idPrefix = 'root' }: SchemaFormProps) {
  return (
    <div className="schema-form">
      <Form
        schema={schema as RJSFSchema}
        formData={formData}
        validator={cspValidator}
        idPrefix={idPrefix}
        noHtml5Validate
        showErrorList={false}
        extraErrors={errors as ErrorSchema}
        disabled={busy}
        onChange={(e) => onChange(e.formData)}
        onSubmit={(e) => onSubmit(e.formData)}
      >
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Sending…' : submitText}
        </button>
      </Form>
    </div>
  );
}
