/**
 * What initdb's or the server's last stderr lines mean, as one of the typed errors. The binaries
 * run with LC_ALL=C and lc_messages=C, so these are PostgreSQL's English messages and the C
 * library's English strerror texts.
 */
import {
  EmbeddedBinariesMissingError,
  EmbeddedDataDirInUseError,
  EmbeddedDataDirUnwritableError,
  EmbeddedDataDirVersionError,
  EmbeddedDiskFullError,
  EmbeddedPortUnavailableError,
  EmbeddedStartError,
  type EmbeddedPostgresError,
} from './embedded-errors';

export interface FailureContext {
  readonly stage: 'initdb' | 'start';
  readonly dataDir: string;
  readonly port: number;
  readonly majorVersion: number;
  /** how the process ended: an exit code, a signal name, or a timeout */
  readonly ending: string;
}

/** `2026-12-03 15:21:29.400 UTC [9358] FATAL:  x` → `FATAL:  x` (the default log_line_prefix) */
export function withoutLogPrefix(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] /, '').trim();
}

export function classifyFailure(lines: readonly string[], ctx: FailureContext): EmbeddedPostgresError {
  const text = lines.join('\n');
  const has = (re: RegExp): boolean => re.test(text);

  if (has(/No space left on device|could not extend file|Disk quota exceeded/)) return new EmbeddedDiskFullError(ctx.dataDir, ctx.stage);

  const bind = /could not bind IPv[46] address "[^"]*": (.+)/.exec(text);
  if (bind || has(/could not create any TCP\/IP sockets/)) {
    return new EmbeddedPortUnavailableError(ctx.port, bind?.[1]?.includes('Permission denied') ? 'not permitted' : 'address already in use');
  }

  const incompatible = /initialized by PostgreSQL version (\S+?),/.exec(text);
  if (incompatible?.[1]) return new EmbeddedDataDirVersionError(ctx.dataDir, incompatible[1], ctx.majorVersion);

  const otherServer = /Is another postmaster \(PID (\d+)\) running/.exec(text);
  if (otherServer?.[1]) return new EmbeddedDataDirInUseError(ctx.dataDir, Number.parseInt(otherServer[1], 10));

  if (has(/pre-existing shared memory block .* is still in use/)) {
    return new EmbeddedStartError(
      `Processes of an earlier PostgreSQL on ${ctx.dataDir} are still running (its shared memory is in use): they exit shortly after their server died; wait a moment, or stop them, then start again`,
    );
  }

  if (has(/has wrong ownership/)) {
    return new EmbeddedDataDirUnwritableError(ctx.dataDir, 'it is owned by another OS user: run the engine as that user (or as root), or point WORKFLOW_DATA_DIR elsewhere');
  }
  if (has(/has invalid permissions/)) {
    return new EmbeddedDataDirUnwritableError(ctx.dataDir, 'PostgreSQL requires its mode to be 0700 or 0750: chmod 700 it');
  }
  if (has(/Read-only file system/)) {
    return new EmbeddedDataDirUnwritableError(ctx.dataDir, 'it is on a read-only file system: point WORKFLOW_DATA_DIR at a writable directory');
  }
  if (has(/Permission denied|Operation not permitted/)) {
    return new EmbeddedDataDirUnwritableError(
      ctx.dataDir,
      `PostgreSQL was refused access (${quote(lastMatching(lines, /Permission denied|Operation not permitted/))}): make it writable by the user the engine runs as, or point WORKFLOW_DATA_DIR elsewhere`,
    );
  }

  if (has(/error while loading shared libraries|cannot execute binary file|Exec format error/)) {
    return new EmbeddedBinariesMissingError(
      `The embedded PostgreSQL binaries cannot run on this system (${quote(lastMatching(lines, /shared libraries|binary file|format error/))}): set DATABASE_URL to your own PostgreSQL 15+`,
    );
  }

  if (has(/invalid value for parameter|unrecognized configuration parameter|parameter "[^"]+" cannot be/)) {
    return new EmbeddedStartError(
      `The embedded PostgreSQL refused a setting (${quote(lastMatching(lines, /parameter/))}): correct or remove it`,
    );
  }

  const what = ctx.stage === 'initdb' ? 'initdb failed' : 'The embedded PostgreSQL exited while starting';
  const last = lastMatching(lines, /\b(FATAL|PANIC|ERROR):|error:/) ?? lines.at(-1);
  return new EmbeddedStartError(
    `${what} (${ctx.ending})${last ? `: ${quote(last)}` : ', with no output'}; data directory ${ctx.dataDir} (nothing was deleted)`,
  );
}

function lastMatching(lines: readonly string[], re: RegExp): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line !== undefined && re.test(line)) return line;
  }
  return undefined;
}

/** one line, without the log prefix, and not longer than a terminal line or two */
function quote(line: string | undefined): string {
  const text = withoutLogPrefix(line ?? '').replace(/\s+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
