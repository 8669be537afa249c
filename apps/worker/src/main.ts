/** A worker process: scale with more of them (`docker compose up --scale worker=4`). */

import { boot, startWorkerRole } from '@wf/runtime';

void boot({ roles: ['worker'], starters: { worker: startWorkerRole } });
