/**
 * The structured log a handler writes to, object first (pino's shape). The composition root
 * passes a child logger per service type.
 */
export interface HandlerLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
