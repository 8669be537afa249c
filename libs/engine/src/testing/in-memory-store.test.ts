import { describeStoreContract } from './store-contract';
import { InMemoryStore } from './in-memory-store';

describeStoreContract('in memory', async () => {
  const store = new InMemoryStore();
  let n = 0;
  return {
    store,
    sweeps: store.sweeps,
    addDefinition: async (tenantId, compiled) => store.addDefinition(tenantId, compiled, { id: `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}` }),
    close: async () => undefined,
  };
});
