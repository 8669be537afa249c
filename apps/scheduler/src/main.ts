/** The scheduler process: reconciliation and other periodic sweeps. Safe to run as several replicas. */

import { boot, startSchedulerRole } from '@wf/runtime';

void boot({ roles: ['scheduler'], starters: { scheduler: startSchedulerRole } });
