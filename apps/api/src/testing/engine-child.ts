/**
 * The engine as a child process over a harness's database and queue environment, with every line
 * it writes kept: for the tests that start, break and stop the real `npm start` process.
 */
import { launchEngine, type EngineExit, type EngineProcess, type OutputLine } from '@wf/testkit';
import type { Harness } from './engine-harness';

export interface Engine {
  readonly process: EngineProcess;
  /** every line the process wrote, stdout and stderr, with when it arrived */
  readonly lines: OutputLine[];
}

export function startEngine(h: Pick<Harness, 'env'>, env: Record<string, string>): Engine {
  const lines: OutputLine[] = [];
  const proc = launchEngine({
    name: 'engine',
    entry: 'all-in-one',
    env: { ...process.env, ...h.env, SEED_SAMPLE_WORKFLOW: 'false', LOG_LEVEL: 'info', ...env },
    onLine: (line) => lines.push(line),
  });
  return { process: proc, lines };
}

/** Exit within `ms`, or kill it and fail. */
export async function exitWithin(engine: Engine, ms: number): Promise<EngineExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      engine.process.signal('SIGKILL');
      reject(new Error(`the process did not exit within ${ms} ms; its output:\n${engine.lines.map((l) => l.text).join('\n')}`));
    }, ms);
  });
  try {
    return await Promise.race([engine.process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function healthy(port: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return res.ok ? true : undefined;
}

export const output = (engine: Engine) => engine.lines.map((l) => l.text).join('\n');
