/**
 * Effects leave a transaction in one place: `deliver` in effects.ts, after commit. Any other
 * module that hands jobs or deadline checks to a dispatcher, or adds to the engine's queues,
 * would bring back the "commit, then dispatch" call sites with their own error rules.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const SENDS = /\.(dispatch|scheduleSlaChecks)\(|\b(queue|slaQueue)\.(add|addBulk)\(/;
/** the exit itself, and the queue adapter that implements the Dispatcher port */
const ALLOWED = new Set(['libs/engine/src/use-cases/effects.ts', 'libs/queue/src/bull-dispatcher.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the one exit for effects', () => {
  it('no module of libs/ or apps/ but the exit and the queue adapter sends jobs or deadline checks', () => {
    const files = [...sourceFiles(join(ROOT, 'libs')), ...sourceFiles(join(ROOT, 'apps'))];
    expect(files.length).toBeGreaterThan(50);
    const senders = files
      .map((f) => relative(ROOT, f).split('\\').join('/'))
      .filter((f) => !ALLOWED.has(f) && !f.includes('/testing/'))
      .filter((f) => SENDS.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(senders).toEqual([]);
  });

  it('the exit itself is where the dispatcher is called', () => {
    expect(SENDS.test(readFileSync(join(__dirname, 'effects.ts'), 'utf8'))).toBe(true);
  });
});
