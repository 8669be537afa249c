import { parsePostmasterPid } from './postmaster-pid';

describe('parsePostmasterPid', () => {
  it('reads the pid, data directory and port of a lock a running server wrote', () => {
    const text = '9358\n/tmp/pgx\n1796311289\n54999\n\n127.0.0.1\n  2146625         9\nready   \n';
    expect(parsePostmasterPid(text)).toEqual({ pid: 9358, dataDir: '/tmp/pgx', port: 54999 });
  });

  it('takes a single-user backend (negative pid) as a lock of that pid', () => {
    expect(parsePostmasterPid('-4242\n/data\n')?.pid).toBe(4242);
  });

  it('has no port when the server had not written it yet', () => {
    expect(parsePostmasterPid('77\n/data\n')).toEqual({ pid: 77, dataDir: '/data', port: undefined });
  });

  it.each([[''], ['\n'], ['abc\n/data\n'], ['0\n/data\n'], ['12x\n']])('is undefined for a lock cut short or garbled: %j', (text) => {
    expect(parsePostmasterPid(text)).toBeUndefined();
  });
});
