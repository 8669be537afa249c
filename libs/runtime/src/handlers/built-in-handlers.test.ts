import { Pool } from 'pg';
import { loadConfig } from '../config/config';
import { createLogger } from '../logger';
import { createBuiltInHandlers } from './built-in-handlers';

const log = createLogger('silent');

describe('createBuiltInHandlers', () => {
  it('creates the built-ins without set_context', async () => {
    const pool = new Pool({ max: 1 }); // never connects: nothing is queried
    try {
      const registry = createBuiltInHandlers({ config: loadConfig({}), queryPool: pool, log });
      expect([...registry.types()].sort()).toEqual(['database_query', 'email_send', 'http_call']);
    } finally {
      await pool.end();
    }
  });
});
