import { LineCollector, logLevelOf } from './log-lines';

describe('LineCollector', () => {
  it('emits whole lines across chunk boundaries, and the tail on flush', () => {
    const seen: string[] = [];
    const c = new LineCollector((l) => seen.push(l));
    c.push('LOG:  start');
    c.push('ing\r\nFATAL:  x\n\n  \npartial');
    expect(seen).toEqual(['LOG:  starting', 'FATAL:  x']);
    c.flush();
    expect(seen).toEqual(['LOG:  starting', 'FATAL:  x', 'partial']);
  });

  it('keeps only the last lines', () => {
    const c = new LineCollector(() => undefined, 2);
    c.push('a\nb\nc\n');
    expect(c.lines).toEqual(['b', 'c']);
  });
});

describe('logLevelOf', () => {
  it.each([
    ['2026-12-03 15:28:56.091 UTC [1] FATAL:  could not create any TCP/IP sockets', 'warn'],
    ['2026-12-03 15:28:56.091 UTC [1] WARNING:  could not create listen socket', 'warn'],
    ['2026-12-03 15:28:27.238 UTC [1] LOG:  database system is ready to accept connections', 'info'],
    ['2026-12-03 15:28:56.091 UTC [1] HINT:  Is another postmaster already running on port 5432?', 'info'],
  ])('%s → %s', (line, level) => {
    expect(logLevelOf(line)).toBe(level);
  });
});
