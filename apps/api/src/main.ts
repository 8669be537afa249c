/**
 * The api process. With `--roles api,worker,scheduler` (what `npm start` passes) it is the whole
 * engine in one process; scaled deployments run `--roles api` and the worker and scheduler apps.
 */

import { DEV_TENANT_ID, boot, parseRoles, signToken, startSchedulerRole, startWorkerRole } from '@wf/runtime';
import { startApiRole } from './api-role';

void boot({
  roles: parseRoles(process.argv, ['api']),
  starters: { api: startApiRole, worker: startWorkerRole, scheduler: startSchedulerRole },
  devToken: (config) =>
    signToken(config.jwtSecret, { tenantId: DEV_TENANT_ID, userId: 'dev-admin', roles: ['admin', 'manager', 'cfo'], expiresInSeconds: 30 * 24 * 3600 }),
});
