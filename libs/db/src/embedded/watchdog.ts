/**
 * The server process, under a watchdog that stops it when the engine goes, however it goes. The
 * engine keeps the write end of a pipe to the watchdog's stdin and never writes to it; a reader
 * in the watchdog waits on the pipe, and when it reads end-of-file (the engine closed it in
 * stop(), exited, crashed or was killed with -9: the kernel closes a dead process's pipes) it
 * sends the server SIGINT, PostgreSQL's fast shutdown. The watchdog exits when the server has.
 *
 * It runs in its own process group (detached), so a terminal's Ctrl-C reaches only the engine,
 * which drains its work and then stops the server itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Socket } from 'node:net';
import { EmbeddedStartError } from './embedded-errors';
import { LineCollector } from './log-lines';
import { binaryEnv } from './run-binary';
import type { ServerUser } from './server-user';

/** The watchdog's $0: marks a server's parent as a watchdog in the lock recovery. */
export const WATCHDOG_NAME = 'wf-embedded-postgres-watchdog';

/**
 * An asynchronous list's stdin is /dev/null in a non-interactive shell, so the server does not
 * hold the pipe and the reader gets it through fd 3. The server's output goes to stderr; stdout
 * carries only the server's pid.
 */
const SCRIPT = [
  'bin=$1; shift',
  '"$bin" "$@" >&2 &',
  'pg=$!',
  'echo "$pg"',
  "trap '' INT",
  'exec 3<&0',
  '( read -r _ <&3; kill -INT "$pg" 2>/dev/null ) &',
  'rd=$!',
  'exec 3<&- 0</dev/null',
  'wait "$pg"; st=$?',
  'kill "$rd" 2>/dev/null',
  'exit "$st"',
].join('\n');

/** after a fast shutdown this long, an immediate one (SIGQUIT); then the whole group is killed */
const FAST_STOP_MS = 30_000;
const IMMEDIATE_STOP_MS = 5_000;
/** output still in flight when the watchdog exits */
const OUTPUT_GRACE_MS = 1_000;

interface ServerExit {
  /** "exit code N" or "signal SIGX" */
  readonly ending: string;
}

export interface ServerProcess {
  /** the postmaster's pid */
  readonly pid: number;
  /** the server's last output lines, for explaining an exit */
  readonly lines: readonly string[];
  /** set once the server has exited */
  readonly exit: ServerExit | undefined;
  readonly exited: Promise<ServerExit>;
  /** fast shutdown; resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
  /** stop holding the event loop open: the engine's exit stops the server through the pipe */
  unref(): void;
}

export interface SpawnServerOptions {
  readonly postgres: string;
  readonly args: readonly string[];
  readonly user: ServerUser | undefined;
  readonly onLine: (line: string) => void;
}

export async function spawnServer(o: SpawnServerOptions): Promise<ServerProcess> {
  const child = spawn('/bin/sh', ['-c', SCRIPT, WATCHDOG_NAME, o.postgres, ...o.args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: binaryEnv(),
    cwd: '/',
    ...(o.user ? { uid: o.user.uid, gid: o.user.gid } : {}),
  });
  const output = new LineCollector(o.onLine);
  child.stderr.setEncoding('utf8').on('data', (d: string) => output.push(d));
  // an EPIPE on the pipe we never write to must not become an uncaught error
  child.stdin.on('error', () => undefined);

  let exit: ServerExit | undefined;
  const exited = watchExit(child, output).then((e) => (exit = e));
  const pid = await firstLine(child, exited);
  let stopping: Promise<void> | undefined;

  return {
    pid,
    get lines() {
      return output.lines;
    },
    get exit() {
      return exit;
    },
    exited,
    stop() {
      stopping ??= stop(child, pid, exited, () => exit !== undefined);
      return stopping;
    },
    unref() {
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
    },
  };
}

/** the watchdog's first stdout line is the server's pid */
function firstLine(child: ChildProcessWithoutNullStreams, exited: Promise<ServerExit>): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: string): void => {
      text += d;
      const m = /^(\d+)\n/.exec(text);
      if (m?.[1]) {
        child.stdout.off('data', onData);
        resolve(Number.parseInt(m[1], 10));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    void exited.then((e) => reject(new EmbeddedStartError(`The embedded PostgreSQL's watchdog (/bin/sh) ended before starting the server (${e.ending}): is /bin/sh there?`)));
  });
}

function watchExit(child: ChildProcessWithoutNullStreams, output: LineCollector): Promise<ServerExit> {
  return new Promise((resolve) => {
    let ending: string | undefined;
    let grace: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (grace) clearTimeout(grace);
      output.flush();
      resolve({ ending: ending ?? 'exited' });
    };
    child.once('error', (err) => {
      ending = err.message;
      done();
    });
    child.once('exit', (code, signal) => {
      ending = signal ? `signal ${signal}` : `exit code ${code}`;
      // 'close' follows once the output pipes are drained; a straggler holding them must not keep us waiting
      grace = setTimeout(done, OUTPUT_GRACE_MS);
      grace.unref();
    });
    child.once('close', done);
  });
}

async function stop(child: ChildProcessWithoutNullStreams, pid: number, exited: Promise<ServerExit>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  // while stopping, the caller awaits the exit: hold the event loop open for it
  child.ref();
  child.stdin.destroy();
  if (await within(exited, FAST_STOP_MS)) return;
  signal(pid, 'SIGQUIT');
  if (await within(exited, IMMEDIATE_STOP_MS)) return;
  if (child.pid !== undefined) signal(-child.pid, 'SIGKILL');
  await exited;
}

async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
