/**
 * `npm run build:web`: build the web app's bundle now, if its sources changed (the Dockerfile runs
 * it; `npm start` does the same by itself when the bundle is missing or stale).
 */

import { createLogger } from '@wf/runtime';
import { ensureWebBundle } from '../web-bundle';

const log = createLogger('info');
ensureWebBundle(log).then(
  (dir) => {
    if (!dir) {
      log.error('no web app sources and no bundle to serve');
      process.exit(1);
    }
    log.info({ dir }, 'web app bundle ready');
  },
  (err: unknown) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'web app build failed');
    process.exit(1);
  },
);
