import { createRetryStrategy, JitterStrategy, StepInterruptedError, type RetryDecision } from '@aws/durable-execution-sdk-js';

import { HttpStatusError, RestCallError } from '../../errors';
import { logEvent, type StructuredLogger } from '../../logging';
import type { RetryOptions } from '../../schemas/retry';


export interface HttpRetryPolicyOptions {
  retry: RetryOptions;

  /**
   * Whether an attempt cut off by the end of an invocation (the step was started but
   * never recorded) may run again. False for a POST or PATCH without an idempotency key.
   */
  retryInterrupted: boolean;

  /** Receives one line per retry decision. */
  logger?: StructuredLogger;
}

/**
 * Builds the retry strategy of the HTTP step: exponential backoff with full jitter
 * from the SDK, capped by `maxDelaySeconds`, retrying only errors whose `retryable`
 * flag is set. When the server sent `Retry-After`, the delay is the larger of the
 * backoff and that value. Delays are whole seconds, at least 1.
 */
export function createHttpRetryPolicy(options: HttpRetryPolicyOptions): (error: Error, attemptsMade: number) => RetryDecision {
  const { retry } = options;
  const backoff = createRetryStrategy({
    maxAttempts: retry.maxAttempts,
    initialDelay: { seconds: retry.initialDelaySeconds },
    maxDelay: { seconds: retry.maxDelaySeconds },
    backoffRate: retry.backoffRate,
    jitter: JitterStrategy.FULL,
  });

  return (error, attemptsMade) => {
    const retryable = error instanceof RestCallError ? error.retryable : error instanceof StepInterruptedError && options.retryInterrupted;
    const decision = retryable ? backoff(error, attemptsMade) : { shouldRetry: false };

    if (!decision.shouldRetry) {
      if (options.logger) {
        logEvent(options.logger, 'warn', 'http.giveUp', { ...describeError(error), attempt: attemptsMade, maxAttempts: retry.maxAttempts, retryable });
      }
      return decision;
    }

    const backoffSeconds = (decision.delay as { seconds: number }).seconds;
    const retryAfterSeconds = error instanceof HttpStatusError ? error.retryAfterSeconds : undefined;
    const delaySeconds = Math.max(backoffSeconds, retryAfterSeconds ?? 0, 1);

    if (options.logger) {
      logEvent(options.logger, 'warn', 'http.retry', {
      ...describeError(error),
      attempt: attemptsMade,
      maxAttempts: retry.maxAttempts,
      backoffSeconds,
      retryAfterSeconds: retryAfterSeconds ?? null,
        delaySeconds,
      });
    }
    return { shouldRetry: true, delay: { seconds: delaySeconds } };
  };
}

function describeError(error: Error): Record<string, unknown> {
  const details = error instanceof RestCallError ? error.details : {};
  return { errorName: error.name, errorMessage: error.message, status: details.status, code: details.code, url: details.url };
}
