/**
 * The engine as separate OS processes (API, workers, schedulers), each started by the test kit's
 * launcher in its own process group so that `kill -9`, SIGSTOP and SIGCONT reach exactly that
 * process, with its JSON logs in one file per process start. The fleet knows which exits it
 * caused and reports the others.
 */

import { join } from 'node:path';
import { launchEngine, type EngineProcess } from '@wf/testkit';

export type EngineRole = 'api' | 'worker' | 'scheduler';

/** One process of the fleet, as the scenarios see it. */
export interface FleetProcess {
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
  proc: FleetProcess;
  engine: EngineProcess;
  /** set before we kill or stop it on purpose */
  expectedExit: boolean;
}

export class EngineFleet {
  private readonly slots = new Map<string, Slot>();
  private starts = 0;
  private closed = false;
  readonly unexpectedExits: UnexpectedExit[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void = () => undefined,
  ) {}

  /** Start (or start again) the process called `name`. */
  spawn(name: string, role: EngineRole, extraEnv: Record<string, string> = {}): FleetProcess {
    if (this.closed) throw new Error(`not starting ${name}: the engine is being shut down`);
    const existing = this.slots.get(name);
    if (existing?.engine.running) throw new Error(`${name} is already running (pid ${existing.proc.pid})`);
    this.starts += 1;
    const logFile = join(this.logDir, `${name}.${this.starts}.log`);
    const engine = launchEngine({ name, entry: role, env: { ...this.env, ...extraEnv }, processGroup: true, logFile });
    const current = () => this.slots.get(name)?.engine === engine;
    const proc: FleetProcess = {
      name,
      role,
      pid: engine.pid,
      logFile,
      startedAt: engine.startedAt,
      ready: engine.ready,
      exited: engine.exited.then(() => undefined),
      isAlive: () => current() && engine.running,
      isReady: () => current() && engine.isReady,
      frozen: false,
    };
    const slot: Slot = { proc, engine, expectedExit: false };
    this.slots.set(name, slot);
    void engine.exited.then(({ code, signal, at }) => {
      if (!current() || slot.expectedExit) return;
      const exit: UnexpectedExit = { name, pid: engine.pid, code, signal, at, logFile };
      this.unexpectedExits.push(exit);
      this.onUnexpectedExit(exit);
    });
    return proc;
  }

  get(name: string): FleetProcess | undefined {
    return this.slots.get(name)?.proc;
  }

  /** Living processes of a role (frozen ones included). */
  alive(role: EngineRole): FleetProcess[] {
    return [...this.slots.values()].filter((s) => s.engine.running && s.proc.role === role).map((s) => s.proc);
  }

  /** Signal the whole process group; SIGKILL waits for the exit. */
  async signal(name: string, signal: NodeJS.Signals): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot?.engine.running) return;
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') slot.expectedExit = true;
    slot.engine.signal(signal);
    if (signal === 'SIGSTOP') slot.proc.frozen = true;
    if (signal === 'SIGCONT') slot.proc.frozen = false;
    if (signal === 'SIGKILL') await slot.engine.exited;
  }

  /** kill -9 now. */
  kill(name: string): Promise<void> {
    return this.signal(name, 'SIGKILL');
  }

  /** SIGTERM everything (a frozen process is woken first), then SIGKILL whatever is left after `graceMs`. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.closed = true;
    const living = [...this.slots.values()].filter((s) => s.engine.running);
    for (const slot of living) slot.expectedExit = true;
    await Promise.all(living.map((s) => s.engine.stop(graceMs)));
  }

  /** Synchronous last resort (process exit handlers): SIGKILL every living group. */
  killAllNow(): void {
    this.closed = true;
    for (const slot of this.slots.values()) {
      if (!slot.engine.running) continue;
      slot.expectedExit = true;
      slot.engine.signal('SIGKILL');
    }
  }
}
