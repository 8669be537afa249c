/**
 * `npm run chaos [-- --short | --kills N | --only 1,3 | ...]`: the fault-injection suite. Exits 0
 * when no step was lost or doubled, no request got a 500 and every other invariant held; 1 when
 * anything failed; 2 on bad options.
 */

import { OptionsError, USAGE, parseOptions } from './options';
import { formatReport, passed } from './report';
import { runChaos } from './run-chaos';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionsError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return 0;
  }
  const report = await runChaos(opts, (line) => console.log(line));
  console.log(formatReport(report));
  return passed(report) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`chaos run failed: ${err.stack ?? err.message}`);
    console.log('CHAOS RESULT: FAIL (the run itself failed; see above)');
    process.exit(1);
  },
);
