/** An api process: the HTTP API, Bull Board and /metrics. Scale it behind a load balancer. */

import { startApiRole } from '@wf/http';
import { boot } from '@wf/runtime';

void boot({ roles: ['api'], starters: { api: startApiRole } });
