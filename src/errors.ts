import { DurableOperationError } from '@aws/durable-execution-sdk-js';

/** JSON-safe facts about a failure, shown in the 502 body and kept in the checkpoint. */
export interface RestCallErrorDetails {
  /** HTTP status of the response, when one arrived. */
  status?: number;

  /** Node.js error code such as `ECONNREFUSED`, or a code of this service such as `RESPONSE_TOO_LARGE`. */
  code?: string;

  /** Attempt number of the step, starting at 1. */
  attempt?: number;

  /** Redacted URL of the request that failed. */
  url?: string;

  [key: string]: string | number | boolean | null | undefined | string[];
}

/** The part of an error that crosses the checkpoint as `errorData`. */
export interface RestCallErrorData {
  name: string;
  retryable: boolean;
  details: RestCallErrorDetails;
}

/**
 * Base of every failure the HTTP step raises. It extends the SDK's
 * `DurableOperationError` so that the name and details are stored with the failed
 * step and come back to the handler as `errorData`, also after a replay.
 */
export abstract class RestCallError extends DurableOperationError {
  readonly errorType: string;

  /** Whether a later attempt may succeed. The retry policy reads this flag. */
  retryable: boolean;

  readonly details: RestCallErrorDetails;

  /**
   * @param name - Stable error name, spelled out because minified bundles rename classes.
   */
  protected constructor(name: string, message: string, retryable: boolean, details: RestCallErrorDetails, cause?: Error) {
    super(message, cause);
    this.name = name;
    this.errorType = name;
    this.retryable = retryable;
    this.details = details;
    this.errorData = this.serializeData();
  }

  /** Adds details that are missing, such as the attempt number, and refreshes `errorData`. */
  addMissingDetails(extra: RestCallErrorDetails): this {
    for (const [key, value] of Object.entries(extra)) {
      this.details[key] ??= value;
    }
    this.errorData = this.serializeData();
    return this;
  }

  /** Marks the error final, for example a POST that may have reached the server, and records why. */
  preventRetry(reason: string): this {
    this.retryable = false;
    this.details.notRetriedBecause = reason;
    this.errorData = this.serializeData();
    return this;
  }

  private serializeData(): string {
    const data: RestCallErrorData = { name: this.name, retryable: this.retryable, details: this.details };
    return JSON.stringify(data);
  }
}

/** The attempt passed its deadline before the last body byte arrived. */
export class RequestTimeoutError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails) {
    super('RequestTimeoutError', message, true, { code: 'TIMEOUT', ...details });
  }
}

/** The connection failed: refused, reset, closed early or the host name did not resolve. */
export class ConnectionError extends RestCallError {
  /** False when the failure came before any byte of the request was written, so a retry cannot duplicate it. */
  readonly requestSent: boolean;

  constructor(message: string, details: RestCallErrorDetails & { requestSent: boolean }, cause?: Error) {
    super('ConnectionError', message, true, details, cause);
    this.requestSent = details.requestSent;
  }
}

/** The server returned a status that is not a success. */
export class HttpStatusError extends RestCallError {
  /** Delay asked for by `Retry-After`, in seconds, when the header was present and valid. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, retryable: boolean, details: RestCallErrorDetails & { status: number; retryAfterSeconds?: number }) {
    super('HttpStatusError', message, retryable, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The server asked for a `Retry-After` longer than `retry.maxRetryAfterSeconds`. */
export class RetryAfterTooLongError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails) {
    super('RetryAfterTooLongError', message, false, { code: 'RETRY_AFTER_TOO_LONG', ...details });
  }
}

/** The body is larger than `maxResponseBytes` and `onLargeResponse` is `fail`. */
export class ResponseTooLargeError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails) {
    super('ResponseTooLargeError', message, false, { code: 'RESPONSE_TOO_LARGE', ...details });
  }
}

/** The body could not be decoded or parsed as its headers declare. */
export class InvalidResponseError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails, cause?: Error) {
    super('InvalidResponseError', message, false, { code: 'INVALID_RESPONSE', ...details }, cause);
  }
}

/** A redirect loop, too many redirects, or a redirect without a usable Location. */
export class RedirectError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails) {
    super('RedirectError', message, false, { code: 'REDIRECT_FAILED', ...details });
  }
}

/** The destination guard rejected the host or its address; no request was sent. */
export class DestinationBlockedError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails & { host: string; rule: string }) {
    super('DestinationBlockedError', message, false, { code: 'DESTINATION_BLOCKED', ...details });
  }
}

/** A secret named in the event could not be read. The message names the secret id, never its value. */
export class SecretResolutionError extends RestCallError {
  constructor(message: string, details: RestCallErrorDetails & { secretId: string }, cause?: Error) {
    super('SecretResolutionError', message, false, { code: 'SECRET_UNAVAILABLE', ...details }, cause);
  }
}

/**
 * Reads the name, retryable flag and details back from an error thrown by
 * `context.step`, which carries them as the JSON string `errorData`.
 */
export function readRestCallErrorData(error: unknown): RestCallErrorData | undefined {
  const errorData = (error as { errorData?: unknown } | undefined)?.errorData;
  if (typeof errorData !== 'string') {
    return undefined;
  }

  try {
    const data = JSON.parse(errorData) as Partial<RestCallErrorData>;
    if (typeof data.name === 'string' && typeof data.retryable === 'boolean' && typeof data.details === 'object') {
      return data as RestCallErrorData;
    }
  } catch {
    // Not data written by this service.
  }
  return undefined;
}
