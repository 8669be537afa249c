/** `npm run migrate` (up: the deploy step) and `npm run migrate:revert` (down: the rollback step). */

import { DatabaseUnreachableError, describeUrl, ensureDatabase, migrateDown, migrateUp } from '../migrate';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/workflow';

async function main(): Promise<void> {
  const direction = process.argv[2];
  // the owner login: DATABASE_MIGRATION_URL, else DATABASE_URL (as at start-up)
  const url = process.env['DATABASE_MIGRATION_URL'] || process.env['DATABASE_URL'] || DEFAULT_URL;
  if (direction !== 'up' && direction !== 'down') {
    console.error('usage: migrate-cli up|down');
    process.exit(2);
  }
  if (direction === 'up') {
    if (await ensureDatabase(url)) console.log(`created database ${describeUrl(url)}`);
    const applied = await migrateUp({ url });
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `database ${describeUrl(url)} is up to date`);
  } else {
    const reverted = await migrateDown({ url });
    console.log(reverted ? `reverted: ${reverted}` : 'nothing to revert');
  }
}

main().catch((err) => {
  if (err instanceof DatabaseUnreachableError) {
    console.error(`migrate refused: ${err.message}`);
  } else {
    console.error(`migrate failed: ${(err as Error).stack ?? err}`);
  }
  process.exit(1);
});
