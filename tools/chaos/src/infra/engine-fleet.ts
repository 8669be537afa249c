/**
 * The engine as separate OS processes (API, workers, schedulers), each in its own process group
 * so that `kill -9`, SIGSTOP and SIGCONT reach exactly that process. They run through
 * `node --import tsx` (not the tsx CLI, which forks a grandchild a SIGKILL would orphan), and
 * their JSON logs go to one file per process start.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export type EngineRole = 'api' | 'worker' | 'scheduler';

const ENTRY: Record<EngineRole, { file: string; args: string[]; ready: string }> = {
  api: { file: 'apps/api/src/main.ts', args: ['--roles', 'api'], ready: '"msg":"api listening"' },
  worker: { file: 'apps/worker/src/main.ts', args: [], ready: '"msg":"worker started"' },
  scheduler: { file: 'apps/scheduler/src/main.ts', args: [], ready: '"msg":"scheduler started"' },
};

export interface EngineProcess {
  readonly name: string;
  readonly role: EngineRole;
  readonly pid: number;
  readonly logFile: string;
  readonly startedAt: number;
  /** resolves when the process logged that it is serving */
  readonly ready: Promise<void>;
  /** resolves when the process has exited */
  readonly exited: Promise<void>;
  isAlive(): boolean;
  /** logged that it is serving, and has not exited since */
  isReady(): boolean;
  frozen: boolean;
}

export interface UnexpectedExit {
  readonly name: string;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
  readonly logFile: string;
}

interface Slot {
  proc: EngineProcess;
  child: ChildProcess;
  /** set before we kill or stop it on purpose */
  expectedExit: boolean;
  alive: boolean;
}

export class EngineFleet {
  private readonly slots = new Map<string, Slot>();
  private starts = 0;
  private closed = false;
  readonly unexpectedExits: UnexpectedExit[] = [];

  constructor(
    private readonly root: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void = () => undefined,
  ) {}

  /** Start (or start again) the process called `name`. */
  spawn(name: string, role: EngineRole, extraEnv: Record<string, string> = {}): EngineProcess {
    if (this.closed) throw new Error(`not starting ${name}: the engine is being shut down`);
    const existing = this.slots.get(name);
    if (existing?.alive) throw new Error(`${name} is already running (pid ${existing.proc.pid})`);
    const entry = ENTRY[role];
    this.starts += 1;
    const logFile = join(this.logDir, `${name}.${this.starts}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(this.root, entry.file), ...entry.args], {
      cwd: this.root,
      env: { ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const pid = child.pid;
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined);
    let isReady = false;
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (isReady) return;
      pending += chunk.toString();
      if (pending.includes(entry.ready)) {
        isReady = true;
        pending = '';
        markReady();
      } else if (pending.length > 1_000_000) {
        pending = pending.slice(-10_000);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => out.write(chunk));
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        const slot = this.slots.get(name);
        if (slot?.child === child) {
          slot.alive = false;
          if (!slot.expectedExit) {
            const exit: UnexpectedExit = { name, pid, code, signal, at: Date.now(), logFile };
            this.unexpectedExits.push(exit);
            this.onUnexpectedExit(exit);
          }
        }
        if (!isReady) failReady(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready; see ${logFile}`));
        // let the pipes flush into the log before closing it
        setTimeout(() => out.end(), 50);
        resolve();
      });
    });
    const proc: EngineProcess = {
      name,
      role,
      pid,
      logFile,
      startedAt: Date.now(),
      ready,
      exited,
      isAlive: () => this.slots.get(name)?.child === child && (this.slots.get(name)?.alive ?? false),
      isReady: () => isReady && proc.isAlive(),
      frozen: false,
    };
    this.slots.set(name, { proc, child, expectedExit: false, alive: true });
    return proc;
  }

  get(name: string): EngineProcess | undefined {
    return this.slots.get(name)?.proc;
  }

  /** Living processes of a role (frozen ones included). */
  alive(role: EngineRole): EngineProcess[] {
    return [...this.slots.values()].filter((s) => s.alive && s.proc.role === role).map((s) => s.proc);
  }

  /** Signal the whole process group; SIGKILL waits for the exit. */
  async signal(name: string, signal: NodeJS.Signals): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot?.alive) return;
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') slot.expectedExit = true;
    try {
      process.kill(-slot.proc.pid, signal);
    } catch {
      // already gone
    }
    if (signal === 'SIGSTOP') slot.proc.frozen = true;
    if (signal === 'SIGCONT') slot.proc.frozen = false;
    if (signal === 'SIGKILL') await slot.proc.exited;
  }

  /** kill -9 now. */
  kill(name: string): Promise<void> {
    return this.signal(name, 'SIGKILL');
  }

  /** SIGTERM everything (a frozen process is woken first), then SIGKILL whatever is left after `graceMs`. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.closed = true;
    const living = [...this.slots.values()].filter((s) => s.alive);
    for (const slot of living) {
      slot.expectedExit = true;
      try {
        process.kill(-slot.proc.pid, 'SIGCONT');
        process.kill(-slot.proc.pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const all = Promise.all(living.map((s) => s.proc.exited));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      for (const slot of living.filter((s) => s.alive)) {
        try {
          process.kill(-slot.proc.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await Promise.race([all, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
  }

  /** Synchronous last resort (process exit handlers): SIGKILL every living group. */
  killAllNow(): void {
    this.closed = true;
    for (const slot of this.slots.values()) {
      if (!slot.alive) continue;
      slot.expectedExit = true;
      try {
        process.kill(-slot.proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
