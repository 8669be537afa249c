import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/** Run a command to its end and collect stdout and stderr; a non-zero exit throws with the output. */
export async function runCommand(cmd: string, args: readonly string[], opts: { cwd?: string; allowFailure?: boolean } = {}): Promise<CommandResult> {
  const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (code !== 0 && !opts.allowFailure) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${output.trim()}`);
  }
  return { code, output };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
