import { createHash } from 'node:crypto';

import { ConnectionError, HttpStatusError, RequestTimeoutError, type RestCallError } from '../../errors';

/** Methods whose repetition can duplicate a side effect. */
const NON_IDEMPOTENT_METHODS = new Set(['POST', 'PATCH']);

/** Statuses that mean the server did not act on the request, so even a POST may be sent again. */
const NOT_PROCESSED_STATUSES = new Set([408, 429, 503]);

/**
 * Derives the `Idempotency-Key` used for `idempotencyKey: "auto"`: a UUID-shaped
 * hash of the durable execution ARN and the operation, so every attempt and every
 * replay of the same call sends the same key.
 */
export function deriveIdempotencyKey(durableExecutionArn: string, operation: string): string {
  const hex = createHash('sha256').update(`${durableExecutionArn}\n${operation}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Tells whether a failure happened before any byte of the request could reach the server. */
export function failedBeforeSending(error: RestCallError): boolean {
  if (error instanceof ConnectionError) {
    return !error.requestSent;
  }
  if (error instanceof RequestTimeoutError) {
    return error.details.requestSent === false;
  }
  return error instanceof HttpStatusError && NOT_PROCESSED_STATUSES.has(error.details.status ?? 0);
}

/**
 * Tells whether sending the request twice could duplicate a side effect: a POST or
 * PATCH without an idempotency key, unless `retry.unsafe` accepts duplicates.
 */
export function isUnsafeToRepeat(method: string, hasIdempotencyKey: boolean, unsafe: boolean): boolean {
  return NON_IDEMPOTENT_METHODS.has(method) && !hasIdempotencyKey && !unsafe;
}

/**
 * Stops retries of a POST or PATCH that may have reached the server, unless the
 * call carries an idempotency key or `retry.unsafe` accepts duplicates.
 */
export function guardNonIdempotentRetry(error: RestCallError, method: string, hasIdempotencyKey: boolean, unsafe: boolean): RestCallError {
  if (!error.retryable || !isUnsafeToRepeat(method, hasIdempotencyKey, unsafe)) {
    return error;
  }
  if (failedBeforeSending(error)) {
    return error;
  }
  return error.preventRetry(`${method} may have reached the server; set idempotencyKey or retry.unsafe to allow retries`);
}
