import { z } from 'zod';

const jsonPointer = z
  .string()
  .regex(/^(\/[^/]*)*$/, 'must be a JSON pointer such as "/status" or "/links/0/href"');

/**
 * Polling of a long-running operation: after a 202 (or a status in `onStatus`), the
 * function checks the operation URL with durable waits in between.
 */
export const pollSchema = z
  .strictObject({
    /** Statuses that mean "not done yet, poll the operation URL". Default [202]. */
    onStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).default([202]),

    /** JSON pointer to the operation URL in the body, used when no Location or Operation-Location header is sent. */
    urlFrom: jsonPointer.optional(),

    /** Wait before the first check when the API sends no Retry-After, in seconds. Default 5. */
    intervalSeconds: z.number().int().min(1).max(86_400).default(5),

    /** Factor applied to the wait after each check. Default 1 (a fixed interval). */
    backoffRate: z.number().min(1).max(10).default(1),

    /** Cap on one wait, in seconds. Default 300. */
    maxIntervalSeconds: z.number().int().min(1).max(86_400).default(300),

    /** Bound on the whole polling phase, in seconds. Default 600. */
    timeoutSeconds: z.number().int().min(1).max(31_622_400).default(600),

    /** Keep polling until the field at `path` takes one of the values in `in`, for APIs that return 200 with a status field. */
    until: z
      .strictObject({
        path: jsonPointer,
        in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).max(50),
      })
      .optional(),
  })
  .refine((poll) => poll.maxIntervalSeconds >= poll.intervalSeconds, {
    message: 'maxIntervalSeconds must be at least intervalSeconds',
    path: ['maxIntervalSeconds'],
  });

export type PollOptions = z.infer<typeof pollSchema>;
