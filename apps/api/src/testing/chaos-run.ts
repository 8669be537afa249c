/**
 * `npm run chaos -- <args>` as a child process, for the CI tests that run its short forms:
 * tools/chaos is a tool project, which an app may not import. The suite starts its own Postgres
 * cluster (and Redis, when it uses one) on spare ports and its own engine processes, so it touches
 * neither the shared servers nor the other test files' databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const VERDICT = /CHAOS RESULT: (PASS|FAIL) lost=(\d+) duplicated=(\d+) http500=(\d+) other=(\d+)/;

export interface ChaosRun {
  /** everything the suite wrote, stdout and stderr */
  readonly output: string;
  /** the verdict line's figures, as printed */
  readonly verdict: { result: string; lost: string; duplicated: string; http500: string; other: string };
}

let child: ChildProcess | undefined;

/** Run the suite to its end; throws with the tail of its output when it exits non-zero or prints no verdict. */
export async function runChaos(args: readonly string[]): Promise<ChaosRun> {
  // node --import tsx (not the tsx CLI, which forks a grandchild a signal would miss)
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/chaos/src/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  const match = VERDICT.exec(output);
  if (code !== 0 || !match) throw new Error(`npm run chaos -- ${args.join(' ')} exited with ${code}:\n${output.slice(-8000)}`);
  const [, result = '', lost = '', duplicated = '', http500 = '', other = ''] = match;
  return { output, verdict: { result, lost, duplicated, http500, other } };
}

/** For afterAll: a timed-out run still tears its cluster, Redis and engine processes down (on SIGINT). */
export async function stopChaos(): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  }
}
