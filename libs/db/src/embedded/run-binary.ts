/** Runs one of the PostgreSQL binaries to its end (initdb, --version), with its output as lines. */
import { spawn } from 'node:child_process';
import { LineCollector } from './log-lines';
import type { ServerUser } from './server-user';

export interface BinaryResult {
  /** "exit code N" or "signal SIGX" */
  readonly ending: string;
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/**
 * English messages (the error classification reads them) and no PG* variables of the engine's
 * environment (PGDATA, PGPORT would be read by the server where an option is not given).
 */
export function binaryEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('LC_')) env[k] = v;
  return { ...env, LANG: 'C', LC_ALL: 'C' };
}

export function runBinary(file: string, args: readonly string[], user: ServerUser | undefined, onLine: (line: string) => void): Promise<BinaryResult> {
  return new Promise((resolve) => {
    const out = new LineCollector(onLine, 80);
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: binaryEnv(),
      // the server's user may not be able to enter the engine's working directory (/root)
      cwd: '/',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.once('error', (err) => {
      out.push(`${err.message}\n`);
      resolve({ ending: err.message, ok: false, lines: out.lines });
    });
    child.once('close', (code, signal) => {
      out.flush();
      resolve({ ending: signal ? `signal ${signal}` : `exit code ${code}`, ok: code === 0, lines: out.lines });
    });
  });
}
