/** The whole engine in one process (`npm start`): the api, worker and scheduler roles together. */

import { startApiRole } from '@wf/http';
import { boot, startSchedulerRole, startWorkerRole } from '@wf/runtime';

void boot({ roles: ['api', 'worker', 'scheduler'], starters: { api: startApiRole, worker: startWorkerRole, scheduler: startSchedulerRole } });
