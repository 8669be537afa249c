import { lockOwner, type LockFacts } from './lock-owner';
import type { ProcessInfo } from './process-info';

const WATCHDOG = 'wf-embedded-postgres-watchdog';
const postmaster: ProcessInfo = {
  pid: 100,
  ppid: 99,
  argv: ['/x/native/bin/postgres', '-D', '/srv/pg', '-c', 'port=5999'],
  exe: '/x/native/bin/postgres',
  cwd: '/srv/pg',
};
const watchdog: ProcessInfo = { pid: 99, ppid: 50, argv: ['/bin/sh', '-c', 'script', WATCHDOG, '/x/native/bin/postgres'], exe: '/bin/sh', cwd: '/' };

function facts(over: Partial<LockFacts>): LockFacts {
  return { dataDirs: new Set(['/srv/pg']), lockDataDir: '/srv/pg', process: postmaster, parent: watchdog, parentOtherChildren: 1, watchdogName: WATCHDOG, ...over };
}

describe('lockOwner', () => {
  it('dead: no such process', () => {
    expect(lockOwner(facts({ process: undefined, parent: undefined }))).toBe('dead');
  });

  it('foreign: the pid is now another program', () => {
    const node: ProcessInfo = { pid: 100, ppid: 1, argv: ['node', 'jest'], exe: '/usr/bin/node', cwd: '/srv/pg' };
    expect(lockOwner(facts({ process: node }))).toBe('foreign');
  });

  it('foreign: the pid is a PostgreSQL of another data directory', () => {
    expect(lockOwner(facts({ process: { ...postmaster, cwd: '/var/lib/postgresql/15/main' } }))).toBe('foreign');
  });

  it('foreign: a backend of a server (its title replaces argv) in another directory', () => {
    const backend: ProcessInfo = { pid: 100, ppid: 7, argv: ['postgres: checkpointer '], exe: '/usr/lib/postgresql/15/bin/postgres', cwd: '/var/lib/pg' };
    expect(lockOwner(facts({ process: backend }))).toBe('foreign');
  });

  it('engine: a server under a watchdog whose reader still waits on the engine', () => {
    expect(lockOwner(facts({}))).toBe('engine');
  });

  it('orphan: under a watchdog whose reader has gone (its engine died; the server did not stop)', () => {
    expect(lockOwner(facts({ parentOtherChildren: 0 }))).toBe('orphan');
  });

  it('orphan: a server of this directory under anything but a watchdog', () => {
    const init: ProcessInfo = { pid: 1, ppid: 0, argv: ['/sbin/init'], exe: undefined, cwd: undefined };
    expect(lockOwner(facts({ parent: init }))).toBe('orphan');
  });

  it('knows the server by its replaced binary, and the directory by -D where the cwd is unknown (ps)', () => {
    const ps: ProcessInfo = { ...postmaster, exe: '/x/native/bin/postgres (deleted)', cwd: undefined };
    expect(lockOwner(facts({ process: ps, parentOtherChildren: 0 }))).toBe('orphan');
    expect(lockOwner(facts({ process: { ...ps, argv: ['/x/postgres', '-D', '/other'] } }))).toBe('foreign');
  });

  it('falls back to the lock\'s own data directory line without a cwd or -D', () => {
    const bare: ProcessInfo = { ...postmaster, argv: ['postgres'], cwd: undefined };
    expect(lockOwner(facts({ process: bare, parentOtherChildren: 0 }))).toBe('orphan');
    expect(lockOwner(facts({ process: bare, lockDataDir: '/elsewhere' }))).toBe('foreign');
  });
});
