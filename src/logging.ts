/** The logger methods this service uses; the durable context logger provides them and skips them during replay. */
export interface StructuredLogger {
  info(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  error(...params: unknown[]): void;
}

/**
 * Writes one structured log line. The durable SDK's logger serializes a single object
 * argument as JSON under `message`, so fields stay machine-readable.
 */
export function logEvent(logger: StructuredLogger, level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
  logger[level]({ event, ...fields });
}
