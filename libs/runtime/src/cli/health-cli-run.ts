/** `npm run health` as a child process with only the environment it is given (for the CLI's tests). */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '../../../..');
export const UNREACHABLE_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/x';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** the names of the `✗` lines */
  readonly failedChecks: string[];
}

export function runHealthCli(env: Record<string, string>): Promise<CliRun> {
  return runHealthCliArgs([], env);
}

export function runHealthCliArgs(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['--import', 'tsx', 'libs/runtime/src/cli/health-cli.ts', ...args],
      // only what the CLI needs, so the outcome does not depend on the caller's environment
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const failedChecks = String(stdout)
          .split('\n')
          .filter((line) => line.startsWith('✗ '))
          .map((line) => line.slice(2).split(' — ')[0] ?? '');
        resolve({ code, stdout: String(stdout), stderr: String(stderr), failedChecks });
      },
    );
  });
}

export async function onDatabase(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
