import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A migration whose steps are reviewable SQL files: `sql/<name>.up.sql` and `sql/<name>.down.sql`.
 * The class only runs them, so the SQL is the whole story.
 */
export function sqlMigration(fileBase: string, timestamp: number): new () => MigrationInterface {
  const read = (direction: 'up' | 'down') => readFileSync(join(__dirname, 'sql', `${fileBase}.${direction}.sql`), 'utf8');
  const className = `${fileBase.replace(/^\d+_/, '').replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase())}${timestamp}`;
  const cls = class implements MigrationInterface {
    name = className;
    async up(qr: QueryRunner): Promise<void> {
      await qr.query(read('up'));
    }
    async down(qr: QueryRunner): Promise<void> {
      await qr.query(read('down'));
    }
  };
  Object.defineProperty(cls, 'name', { value: className });
  return cls;
}
