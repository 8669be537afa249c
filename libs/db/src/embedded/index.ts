/** A supervised embedded PostgreSQL server (see docs/embedded-postgres.md). */
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres';
export { embeddedPostgresMajorVersion } from './binaries';
export * from './embedded-errors';
