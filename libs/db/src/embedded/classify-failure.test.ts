/** The stderr texts are the PostgreSQL 18 server's and initdb's own, captured from real runs. */
import { classifyFailure, withoutLogPrefix, type FailureContext } from './classify-failure';
import {
  EmbeddedBinariesMissingError,
  EmbeddedDataDirInUseError,
  EmbeddedDataDirUnwritableError,
  EmbeddedDataDirVersionError,
  EmbeddedDiskFullError,
  EmbeddedPortUnavailableError,
  EmbeddedStartError,
} from './embedded-errors';

const ctx: FailureContext = { stage: 'start', dataDir: '/srv/pg', port: 5999, majorVersion: 18, ending: 'exit code 1' };
const P = '2026-12-03 15:28:56.091 UTC [14644] ';

function classify(text: string, over: Partial<FailureContext> = {}): Error {
  return classifyFailure(text.split('\n'), { ...ctx, ...over });
}

describe('classifyFailure', () => {
  it('a port another process holds', () => {
    const err = classify(
      `${P}LOG:  could not bind IPv4 address "127.0.0.1": Address already in use\n${P}HINT:  Is another postmaster already running on port 5999? If not, wait a few seconds and retry.\n${P}WARNING:  could not create listen socket for "127.0.0.1"\n${P}FATAL:  could not create any TCP/IP sockets`,
    );
    expect(err).toBeInstanceOf(EmbeddedPortUnavailableError);
    expect(err.message).toBe(
      'The embedded PostgreSQL cannot listen on 127.0.0.1:5999 (address already in use): free the port, or choose another one (or none, for a free port)',
    );
  });

  it('a port the user may not bind', () => {
    const err = classify(`${P}LOG:  could not bind IPv4 address "127.0.0.1": Permission denied\n${P}FATAL:  could not create any TCP/IP sockets`);
    expect(err).toBeInstanceOf(EmbeddedPortUnavailableError);
    expect(err.message).toContain('(not permitted)');
  });

  it('a full disk at initdb and at start', () => {
    const initdb = classify('initdb: error: could not write file "/srv/.pg.initdb-1/base/1/1259": No space left on device', { stage: 'initdb' });
    expect(initdb).toBeInstanceOf(EmbeddedDiskFullError);
    expect(initdb.message).toMatch(/^The disk is full: initialising the data directory \/srv\/pg failed/);
    const start = classify(`${P}FATAL:  could not write to file "pg_wal/xlogtemp.1": No space left on device`);
    expect(start).toBeInstanceOf(EmbeddedDiskFullError);
    expect(start.message).toMatch(/could not start in \/srv\/pg/);
  });

  it('a data directory of another major version (the server\'s own check)', () => {
    const err = classify(
      `${P}FATAL:  database files are incompatible with server\n${P}DETAIL:  The data directory was initialized by PostgreSQL version 15, which is not compatible with this version 18.4.`,
    );
    expect(err).toBeInstanceOf(EmbeddedDataDirVersionError);
    expect(err.message).toContain('was written by PostgreSQL 15; this engine embeds PostgreSQL 18');
  });

  it('a lock of a running server', () => {
    const err = classify(`${P}FATAL:  lock file "postmaster.pid" already exists\n${P}HINT:  Is another postmaster (PID 4242) running in data directory "/srv/pg"?`);
    expect(err).toBeInstanceOf(EmbeddedDataDirInUseError);
    expect((err as EmbeddedDataDirInUseError).serverPid).toBe(4242);
  });

  it.each([
    [`${P}FATAL:  data directory "/srv/pg" has wrong ownership\n${P}HINT:  The server must be started by the user that owns the data directory.`, /owned by another OS user/],
    [`${P}FATAL:  data directory "/srv/pg" has invalid permissions\n${P}DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).`, /0700 or 0750/],
    [`${P}FATAL:  could not create lock file "postmaster.pid": Read-only file system`, /read-only file system/],
    ['postgres: could not access the server configuration file "/srv/pg/postgresql.conf": Permission denied', /refused access \(postgres: could not access/],
  ])('a data directory the server cannot use: %s', (text, message) => {
    const err = classify(text);
    expect(err).toBeInstanceOf(EmbeddedDataDirUnwritableError);
    expect(err.message).toMatch(message);
  });

  it('backends of a dead server still holding its shared memory', () => {
    const err = classify(
      `${P}FATAL:  pre-existing shared memory block (key 2146625, ID 9) is still in use\n${P}HINT:  Terminate any old server processes associated with data directory "/srv/pg".`,
    );
    expect(err).toBeInstanceOf(EmbeddedStartError);
    expect(err.message).toMatch(/^Processes of an earlier PostgreSQL on \/srv\/pg are still running/);
  });

  it('binaries that cannot run here', () => {
    const err = classify('/x/bin/postgres: error while loading shared libraries: libssl.so.1.1: cannot open shared object file: No such file or directory');
    expect(err).toBeInstanceOf(EmbeddedBinariesMissingError);
  });

  it('a setting the server refuses', () => {
    const err = classify(`2026-12-03 15:39:03.273 GMT [24250] FATAL:  invalid value for parameter "max_connections": "abc"`);
    expect(err).toBeInstanceOf(EmbeddedStartError);
    expect(err.message).toBe('The embedded PostgreSQL refused a setting (FATAL: invalid value for parameter "max_connections": "abc"): correct or remove it');
  });

  it('anything else quotes the last error line, without its log prefix', () => {
    const err = classify(`${P}LOG:  starting PostgreSQL 18.4\n${P}FATAL:  could not map anonymous shared memory: Cannot allocate memory\n${P}LOG:  database system is shut down`);
    expect(err).toBeInstanceOf(EmbeddedStartError);
    expect(err.message).toBe(
      'The embedded PostgreSQL exited while starting (exit code 1): FATAL: could not map anonymous shared memory: Cannot allocate memory; data directory /srv/pg (nothing was deleted)',
    );
    expect(classifyFailure([], ctx).message).toContain('(exit code 1), with no output;');
  });

  it('every message is one line', () => {
    const err = classify(`${P}FATAL:  a\nmultiline\n${'x'.repeat(400)}`);
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('withoutLogPrefix', () => {
  it('drops the default log_line_prefix only', () => {
    expect(withoutLogPrefix(`${P}FATAL:  x`)).toBe('FATAL:  x');
    expect(withoutLogPrefix('initdb: error: y')).toBe('initdb: error: y');
  });
});
