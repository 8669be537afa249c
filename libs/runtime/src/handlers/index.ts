/** Service handlers: the built-in `http_call`, `email_send` and `database_query`, and plugin loading. */
export * from './http-call.handler';
export * from './email-send.handler';
export * from './database-query.handler';
export * from './handler-registry';
export * from './sql-statement-check';
