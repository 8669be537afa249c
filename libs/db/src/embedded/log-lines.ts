/**
 * The server's stderr, split into lines: passed to the caller's logger as they come, and the last
 * few kept to explain an early exit.
 */

export type LogLevel = 'info' | 'warn';

/** warn for what PostgreSQL itself marks as a problem, info for the rest */
export function logLevelOf(line: string): LogLevel {
  return /\b(WARNING|ERROR|FATAL|PANIC):|^initdb: (error|warning):/.test(line) ? 'warn' : 'info';
}

/** Splits chunks into whole lines, and remembers the last `keep` of them. */
export class LineCollector {
  private partial = '';
  private readonly kept: string[] = [];

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly keep = 50,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.emit(part);
  }

  /** the unterminated tail, at the end of the stream */
  flush(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  get lines(): readonly string[] {
    return this.kept;
  }

  private emit(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    this.kept.push(line);
    if (this.kept.length > this.keep) this.kept.shift();
    this.onLine(line);
  }
}
