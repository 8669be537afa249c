import { EngineError } from '@wf/engine';
import { safeReturnTo } from './return-to';

const PUBLIC = 'https://wf.example.com';

function refused(value: unknown): string {
  try {
    safeReturnTo(value, PUBLIC);
  } catch (err) {
    if (err instanceof EngineError) return err.code;
    throw err;
  }
  throw new Error(`expected ${String(value)} to be refused`);
}

describe('safeReturnTo', () => {
  it('keeps paths of the web app, with their query and fragment; none means the app', () => {
    expect(safeReturnTo(undefined, PUBLIC)).toBe('/workflows/');
    expect(safeReturnTo('/workflows', PUBLIC)).toBe('/workflows');
    expect(safeReturnTo('/workflows/tasks/1?tab=form#f', PUBLIC)).toBe('/workflows/tasks/1?tab=form#f');
  });

  it('refuses other origins, other paths, tricks and the auth endpoints', () => {
    for (const value of ['//evil.example/workflows', 'https://evil.example/workflows/', '/\\evil.example', '/api/tasks', '/workflowsx', '/workflows/../api', '/workflows/auth/oidc/login', 'workflows/', 42]) {
      expect(refused(value)).toBe('INVALID_RETURN_TO');
    }
  });
});
