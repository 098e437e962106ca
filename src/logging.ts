import type { DurableLogger, DurableLoggingContext } from '@aws/durable-execution-sdk-js';

/** The logger methods this service uses; the durable context logger provides them and skips them during replay. */
export interface StructuredLogger {
  info(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  error(...params: unknown[]): void;
}

/** Writes one structured log line: `event` names what happened, `fields` carry the ids and values. */
export function logEvent(logger: StructuredLogger, level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
  logger[level]({ event, ...fields });
}

const LEVEL_PRIORITY = { DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5 } as const;
type LevelName = keyof typeof LEVEL_PRIORITY;

/**
 * A durable logger that writes one JSON object per line through the global
 * `console`, with the execution ARN, request id, operation name and attempt added
 * by the SDK. Fields of a single object argument become top-level keys, so a log
 * query can filter on `event` or `status` directly. Honours `AWS_LAMBDA_LOG_LEVEL`
 * (default INFO). Going through `console` lets command-line tools send logs to stderr.
 */
export class JsonLogger implements DurableLogger {
  private loggingContext: DurableLoggingContext | undefined;

  private readonly minimumPriority: number;

  constructor(level: string | undefined = process.env.AWS_LAMBDA_LOG_LEVEL) {
    const name = (level ?? 'INFO').toUpperCase();
    this.minimumPriority = name in LEVEL_PRIORITY ? LEVEL_PRIORITY[name as LevelName] : LEVEL_PRIORITY.INFO;
  }

  configureDurableLoggingContext(loggingContext: DurableLoggingContext): void {
    this.loggingContext = loggingContext;
  }

  debug(...params: unknown[]): void {
    this.write('DEBUG', params);
  }

  info(...params: unknown[]): void {
    this.write('INFO', params);
  }

  warn(...params: unknown[]): void {
    this.write('WARN', params);
  }

  error(...params: unknown[]): void {
    this.write('ERROR', params);
  }

  private write(level: LevelName, params: unknown[]): void {
    if (LEVEL_PRIORITY[level] < this.minimumPriority) {
      return;
    }

    const context = this.loggingContext?.getDurableLogData();
    const [first] = params;
    const fields =
      params.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Error)
        ? (first as Record<string, unknown>)
        : { message: params.map((param) => (param instanceof Error ? `${param.name}: ${param.message}` : String(param))).join(' ') };

    const line = JSON.stringify({
      timestamp: new Date().toISOString(),
      level,
      requestId: context?.requestId,
      executionArn: context?.executionArn,
      operationName: context?.operationName,
      attempt: context?.attempt,
      ...fields,
    });

    if (level === 'ERROR' || level === 'WARN') {
      console.error(line);
      return;
    }
    console.log(line);
  }
}
