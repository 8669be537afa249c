/**
 * The integration tests' environment: after each file, every TCP connection and server the file
 * opened must be closed (pg pools, Redis connections, BullMQ workers and queues, HTTP servers).
 * A file that leaves one fails, naming what is open, instead of slowing or hanging later files
 * in the same worker.
 *
 * Counted per file against what was open when the file started, so one leaky file does not fail
 * the files after it. Sockets are given a moment to finish closing after the file's `afterAll`.
 */
import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';

const NETWORK = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TCPWRAP', 'TCPSERVERWRAP']);
/** how long closing sockets have to go after the file's last hook */
const SETTLE_MS = 3000;
/** how long sockets closing when the file starts have to go */
const BASELINE_SETTLE_MS = 1000;

function openNetwork(): string[] {
  return process.getActiveResourcesInfo().filter((r) => NETWORK.has(r));
}

/** The open network handles once they are down to `target`, or after `ms`, whichever is first. */
async function settledCount(ms: number, target: number): Promise<number> {
  const deadline = Date.now() + ms;
  while (openNetwork().length > target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return openNetwork().length;
}

function summary(resources: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
}

export default class LeakCheckEnvironment extends TestEnvironment {
  private readonly testPath: string;
  private baseline = 0;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
    // a project may pin the queue backend its files run on (jest.config.js)
    const queueBackend = config.projectConfig.testEnvironmentOptions['queueBackend'];
    if (typeof queueBackend === 'string') (this.global.process as NodeJS.Process).env['TEST_QUEUE_BACKEND'] = queueBackend;
  }

  override async setup(): Promise<void> {
    await super.setup();
    // what the global setup or the previous file is still closing is not this file's
    this.baseline = await settledCount(BASELINE_SETTLE_MS, 0);
  }

  override async teardown(): Promise<void> {
    await settledCount(SETTLE_MS, this.baseline);
    const open = openNetwork();
    await super.teardown();
    if (open.length > this.baseline) {
      throw new Error(
        `${this.testPath} left ${open.length - this.baseline} network handle(s) open after its last test (${summary(open)}; ${this.baseline} were open when it started): close every pool, Redis connection, worker and server it opens`,
      );
    }
  }
}
