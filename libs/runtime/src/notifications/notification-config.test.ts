import { ConfigError, loadConfig } from '../config/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('the approval mails\' settings', () => {
  it('default to links on localhost at PORT, user ids as addresses, and 72 hours', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.emailAddressTemplate).toBe('{userId}');
    expect(config.emailActionTtlHours).toBe(72);
  });

  it('take PUBLIC_URL without its trailing slash, a path prefix included', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://wf.example.com/engine/' }).publicUrl).toBe('https://wf.example.com/engine');
  });

  it('refuse a PUBLIC_URL that is not http(s), a template without {userId}, and a TTL out of range', () => {
    expect(problemsOf({ PUBLIC_URL: 'ftp://wf.example.com' })).toEqual(['PUBLIC_URL: must be an http(s) URL']);
    expect(problemsOf({ WORKFLOW_EMAIL_ADDRESS_TEMPLATE: 'ops@example.com' })).toEqual(['WORKFLOW_EMAIL_ADDRESS_TEMPLATE: must contain {userId}']);
    expect(problemsOf({ EMAIL_ACTION_TTL_HOURS: '0' })).toHaveLength(1);
    expect(problemsOf({ EMAIL_ACTION_TTL_HOURS: '5000' })).toHaveLength(1);
  });
});
