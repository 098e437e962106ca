import * as z from './zod';

/** Statuses retried when `retry.retryOnStatus` is not set: 408, 429 and every 5xx. */
export const DEFAULT_RETRY_ON_STATUS: readonly number[] = [
  408,
  429,
  ...Array.from({ length: 100 }, (_, index) => 500 + index),
];

/**
 * Retry settings of the HTTP step. Delays are whole seconds because the durable
 * service schedules retries in seconds, with 1 s as the shortest delay.
 */
export const retrySchema = z.strictObject({
  /** Attempts in total, the first one included. Default 3. */
  maxAttempts: z._default(z.integer(1, 10), 3),

  /** Backoff before the second attempt, in seconds. Default 2. */
  initialDelaySeconds: z._default(z.integer(1, 3600), 2),

  /** Cap on one backoff delay, in seconds. Default 30. */
  maxDelaySeconds: z._default(z.integer(1, 3600), 30),

  /** Factor applied to the backoff after each failed attempt. Default 2. */
  backoffRate: z._default(z.number().check(z.minimum(1), z.maximum(10)), 2),

  /** Longest `Retry-After` the step waits for; a longer one fails at once. Default 300 seconds. */
  maxRetryAfterSeconds: z._default(z.integer(1, 86_400), 300),

  /** Statuses that are retried, replacing the default 408, 429 and 5xx. */
  retryOnStatus: z.optional(z.array(z.integer(100, 599)).check(z.maxLength(100))),

  /** Retry POST and PATCH without an idempotency key, accepting duplicate side effects. Default false. */
  unsafe: z._default(z.boolean(), false),
});

export type RetryOptions = z.infer<typeof retrySchema>;
