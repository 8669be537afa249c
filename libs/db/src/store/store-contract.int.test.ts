/** The Store contract against Postgres: the same suite the in-memory store passes, as the runtime role. */

import { describeStoreContract } from '@wf/engine/testing';
import { createTestDatabase, testPool, urlAs } from '../testing';
import { PgStore } from './pg-store';
import { PgSweepSource } from './system-queries';
import { insertDefinition } from '../repositories/definitions.repository';

describeStoreContract('Postgres', async () => {
  const db = await createTestDatabase();
  const pool = testPool(urlAs(db.url, 'workflow_runtime'), 4);
  const store = new PgStore(pool, { urgentThresholdHours: 4 });
  return {
    store,
    sweeps: new PgSweepSource(pool),
    addDefinition: (tenantId, compiled) =>
      store.inTenant(tenantId, async (tx) => {
        const row = await insertDefinition(tx, compiled, 'contract');
        const record = await tx.definition(row.id);
        if (!record) throw new Error(`definition ${row.id} was not stored`);
        return record;
      }),
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
});
