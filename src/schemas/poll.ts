import * as z from './zod';

const jsonPointer = z.string().check(z.regex(/^(\/[^/]*)*$/, 'must be a JSON pointer such as "/status" or "/links/0/href"'));

/**
 * Polling of a long-running operation: after a 202 (or a status in `onStatus`), the
 * function checks the operation URL with durable waits in between.
 */
export const pollSchema = z
  .strictObject({
    /** Statuses that mean "not done yet, poll the operation URL". Default [202]. */
    onStatus: z._default(z.array(z.integer(100, 599)).check(z.minLength(1), z.maxLength(20)), [202]),

    /** JSON pointer to the operation URL in the body, used when no Location or Operation-Location header is sent. */
    urlFrom: z.optional(jsonPointer),

    /** Wait before the first check when the API sends no Retry-After, in seconds. Default 5. */
    intervalSeconds: z._default(z.integer(1, 86_400), 5),

    /** Factor applied to the wait after each check. Default 1 (a fixed interval). */
    backoffRate: z._default(z.number().check(z.minimum(1), z.maximum(10)), 1),

    /** Cap on one wait, in seconds. Default 300. */
    maxIntervalSeconds: z._default(z.integer(1, 86_400), 300),

    /** Bound on the whole polling phase, in seconds. Default 600. */
    timeoutSeconds: z._default(z.integer(1, 31_622_400), 600),

    /** Keep polling until the field at `path` takes one of the values in `in`, for APIs that return 200 with a status field. */
    until: z.optional(
      z.strictObject({
        path: jsonPointer,
        in: z.array(z.union([z.string(), z.number(), z.boolean()])).check(z.minLength(1), z.maxLength(50)),
      }),
    ),
  })
  .check(
    z.refine((poll) => poll.maxIntervalSeconds >= poll.intervalSeconds, {
      message: 'maxIntervalSeconds must be at least intervalSeconds',
      path: ['maxIntervalSeconds'],
    }),
  );

export type PollOptions = z.infer<typeof pollSchema>;
