/**
 * The real engine as a child process, exactly as it is deployed: `node --import tsx` on an app's
 * entry point (not the tsx CLI, which forks a grandchild that a SIGKILL would orphan), configured
 * only through the environment it is given.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

const REPO_ROOT = resolve(__dirname, '../../..');

/** Which process to start: the all-in-one engine, or one role of a split deployment. */
export type EngineEntry = 'all-in-one' | 'api' | 'worker' | 'scheduler';

const ENTRIES: Readonly<Record<EngineEntry, { file: string; args: readonly string[]; readyLine: string }>> = {
  'all-in-one': { file: 'apps/all-in-one/src/main.ts', args: [], readyLine: '"msg":"api listening"' },
  api: { file: 'apps/api/src/main.ts', args: [], readyLine: '"msg":"api listening"' },
  worker: { file: 'apps/worker/src/main.ts', args: [], readyLine: '"msg":"worker started"' },
  scheduler: { file: 'apps/scheduler/src/main.ts', args: [], readyLine: '"msg":"scheduler started"' },
};

export interface EngineLaunch {
  /** how errors and logs name it */
  readonly name: string;
  readonly entry: EngineEntry;
  /** the process's whole environment: nothing else is inherited */
  readonly env: NodeJS.ProcessEnv;
  /** node flags before `--import tsx` (`--cpu-prof`, …), default none */
  readonly nodeArgs?: readonly string[];
  /** its own process group, so that a signal reaches exactly it and what it spawns, default false */
  readonly processGroup?: boolean;
  /** append stdout and stderr to this file, default nowhere (the last 16 KB are kept for `tail`) */
  readonly logFile?: string;
  /** every line of stdout and stderr as it arrives, default none */
  readonly onLine?: (line: OutputLine) => void;
}

export interface OutputLine {
  /** Date.now() when it arrived */
  readonly at: number;
  readonly text: string;
}

export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Date.now() at the exit */
  readonly at: number;
}

const OUTPUT_TAIL = 16 * 1024;

export class EngineProcess {
  readonly startedAt = Date.now();
  /** resolves when the process logged that it is serving (needs LOG_LEVEL info or finer); rejects if it exits first */
  readonly ready: Promise<void>;
  readonly exited: Promise<EngineExit>;
  private output = '';
  private exit: EngineExit | null = null;
  private serving = false;

  constructor(
    readonly name: string,
    readonly entry: EngineEntry,
    private readonly child: ChildProcess,
    private readonly processGroup: boolean,
    log: WriteStream | null,
    onLine: ((line: OutputLine) => void) | undefined,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    // nobody need wait for it: an exit is reported through `exited`
    this.ready.catch(() => undefined);
    const readyLine = ENTRIES[entry].readyLine;
    const read = (stream: Readable | null, isStdout: boolean) => {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        log?.write(chunk);
        const text = chunk.toString('utf8');
        this.output = (this.output + text).slice(-OUTPUT_TAIL);
        if (!onLine && (this.serving || !isStdout)) return;
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (isStdout && !this.serving && line.includes(readyLine)) {
            this.serving = true;
            markReady();
          }
          if (onLine && line.trim() !== '') onLine({ at: Date.now(), text: line });
        }
      });
      // the last words of a process that died mid-line
      stream?.on('end', () => {
        if (onLine && partial.trim() !== '') onLine({ at: Date.now(), text: partial });
      });
    };
    read(child.stdout, true);
    read(child.stderr, false);
    // the log closes once the pipes are drained, after the exit
    child.once('close', () => log?.end());
    this.exited = new Promise((res) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        if (!this.serving) failReady(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready${log ? `; see ${log.path.toString()}` : ''}`));
        res(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** has not exited */
  get running(): boolean {
    return this.exit === null;
  }

  /** logged that it is serving, and has not exited since */
  get isReady(): boolean {
    return this.serving && this.running;
  }

  /** the last lines it wrote, stdout and stderr */
  tail(lines = 15): string {
    return this.output.trim().split('\n').slice(-lines).join('\n');
  }

  /** Send a signal (to the whole group with `processGroup`); a process already gone is no error. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      if (this.processGroup) process.kill(-this.pid, signal);
      else this.child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM (graceful: finish in-flight jobs, close pools), SIGKILL after `timeoutMs`; resolves once it exited. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    if (this.processGroup) this.signal('SIGCONT'); // a frozen process cannot hear SIGTERM
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
    try {
      if ((await Promise.race([this.exited, late])) === 'late') {
        this.signal('SIGKILL');
        await this.exited;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Start `entry` with the given environment; wait on `ready` (log line) or on the API's /readyz yourself. */
export function launchEngine(opts: EngineLaunch): EngineProcess {
  const { file, args } = ENTRIES[opts.entry];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', join(REPO_ROOT, file), ...args], {
    cwd: REPO_ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.processGroup ?? false,
  });
  // a failed spawn (no node binary) is reported here, not as an unheard 'error' event
  child.once('error', () => undefined);
  if (child.pid === undefined) throw new Error(`could not start ${opts.name}`);
  const log = opts.logFile === undefined ? null : createWriteStream(opts.logFile, { flags: 'a' });
  return new EngineProcess(opts.name, opts.entry, child, opts.processGroup ?? false, log, opts.onLine);
}
