/**
 * A digest of the engine processes' JSON logs (pino): how often each error (and warning) message
 * appeared per role, so a failing run can be diagnosed after its temporary directory is gone.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface LogDigestLine {
  readonly role: string;
  readonly level: 'error' | 'warn' | 'fatal';
  readonly message: string;
  readonly count: number;
}

function levelName(level: number): LogDigestLine['level'] | null {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  return null;
}

export function digestLogs(logDir: string): LogDigestLine[] {
  const counts = new Map<string, LogDigestLine>();
  for (const file of readdirSync(logDir)) {
    const role = file.replace(/[-.].*$/, '');
    if (!['api', 'worker', 'scheduler'].includes(role)) continue;
    let text: string;
    try {
      text = readFileSync(join(logDir, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) {
        // raw stderr (an uncaught error, a library's console.error): count the first line of each
        if (/^[A-Za-z[]/.test(line)) bump(counts, role, 'error', `(stderr) ${shapeOf(line)}`);
        continue;
      }
      let entry: { level?: number; msg?: string; err?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      const level = levelName(entry.level ?? 0);
      if (!level) continue;
      const err = typeof entry.err === 'string' ? entry.err : ((entry.err as { message?: string } | undefined)?.message ?? '');
      bump(counts, role, level, shapeOf(`${entry.msg ?? ''}${err && err !== entry.msg ? `: ${err}` : ''}`));
    }
  }
  return [...counts.values()].sort((a, b) => (a.level === b.level ? b.count - a.count : a.level === 'warn' ? 1 : -1));
}

/** ids and numbers vary per line; group by the shape of the message */
function shapeOf(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

function bump(counts: Map<string, LogDigestLine>, role: string, level: LogDigestLine['level'], message: string): void {
  const key = `${role}|${level}|${message}`;
  const prev = counts.get(key);
  counts.set(key, { role, level, message, count: (prev?.count ?? 0) + 1 });
}

/**
 * Why a process died, from the end of its log: the error of an uncaught exception or unhandled
 * 'error' event (the line after Node's `throw er`), and what emitted it; else its last fatal log
 * line (`start-up failed` and why).
 */
export function crashReason(logFile: string): string | null {
  let lines: string[];
  try {
    lines = readFileSync(logFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  return thrownError(lines) ?? lastFatal(lines);
}

function lastFatal(lines: readonly string[]): string | null {
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
      if ((entry.level ?? 0) < 60) continue;
      const err = typeof entry.err === 'string' ? entry.err : ((entry.err as { message?: string } | undefined)?.message ?? '');
      return `${entry.msg ?? 'fatal'}${err ? `: ${err}` : ''}`;
    } catch {
      continue;
    }
  }
  return null;
}

function thrownError(lines: readonly string[]): string | null {
  const thrown = lines.findIndex((l) => /throw er; \/\/ Unhandled 'error' event|^\s*throw /.test(l));
  const after = thrown >= 0 ? lines.slice(thrown + 1) : lines.slice(-80);
  const error = after.find((l) => /^[A-Za-z]*(Error|error)\b[:\s]/.test(l));
  const emitter = lines.find((l) => l.startsWith("Emitted 'error' event on"));
  if (!error) return null;
  return `${thrown >= 0 && emitter ? `${emitter.replace(/ at:$/, '')}: ` : ''}${error.trim()}`;
}
