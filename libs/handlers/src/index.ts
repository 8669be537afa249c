/**
 * @wf/handlers: the I/O service handlers (`http_call`, `email_send`, `database_query`), the
 * registry definitions are compiled against and workers run from, and plugin loading
 * (WORKFLOW_HANDLER_MODULES). Each handler is one object, `{ type, configSchema, execute }`: its
 * zod schema is the one home of its config's rules (checked when a definition is saved, trusted
 * when it runs). Depends on @wf/engine only: the database is reached through the `TenantSql` port
 * and settings are passed in by the composition root (libs/runtime).
 */
export { HandlerRegistry } from './handler-registry';
export { loadHandlerModules } from './handler-modules';
export type { HandlerLog } from './handler-log';
export { createHttpCallHandler, type HttpCallHandlerOptions } from './http-call.handler';
export { httpCallConfig, type HttpCallConfig } from './http-call.config';
export { createEmailSendHandler, DEFAULT_EMAIL_FROM, type EmailSendHandler, type EmailSendHandlerOptions, type SentEmail } from './email-send.handler';
export { createDatabaseQueryHandler, type DatabaseQueryHandlerOptions } from './database-query.handler';
export { databaseQueryConfig, type DatabaseQueryConfig } from './database-query.config';
export { loadSqlParser } from './sql-statement-check';
