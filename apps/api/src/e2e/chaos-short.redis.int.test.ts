/**
 * The chaos suite's short form inside `npm test`, so a regression in exactly-once step advance
 * fails CI: worker kill -9s mid-step, Redis restarted empty and flushed, and 100 concurrent
 * decisions on 10 tasks (`npm run chaos -- --short`).
 * (A child process: see testing/chaos-run.ts.)
 */
import { runChaos, stopChaos } from '../testing/chaos-run';

afterAll(stopChaos);

it('loses no step, doubles none and answers no 500 while workers are killed, Redis restarts and decisions race', async () => {
  const { output, verdict } = await runChaos(['--short']);
  expect(verdict).toEqual({ result: 'PASS', lost: '0', duplicated: '0', http500: '0', other: '0' });
  // the report covered all three scenarios
  expect(output).toMatch(/^1 +worker kill -9 mid-step \(x3\)/m);
  expect(output).toMatch(/^3 +Redis restarted and flushed/m);
  expect(output).toMatch(/^7 +concurrent decisions \(100 on 10\)/m);
}, 240_000);
