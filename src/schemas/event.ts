import { pollSchema } from './poll';
import { retrySchema } from './retry';
import * as z from './zod';

/** Methods the step sends. Input may use any case; the parsed value is upper case. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Largest `maxResponseBytes`: the step result must stay under the 256 KiB checkpoint limit. */
export const MAX_RESPONSE_BYTES_LIMIT = 240 * 1024;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** A reference to a secret that the step resolves at request time, so the value never enters the event or a checkpoint. */
export const secretReferenceSchema = z.strictObject({
  /** Secrets Manager secret name or ARN, or `ssm:/parameter/name` for Parameter Store. */
  secret: z.string().check(z.minLength(1), z.maxLength(2048)),

  /** Key to read when the secret value is a JSON object. */
  field: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});

const headerValueSchema = z.union(
  [z.string().check(z.maxLength(8192), z.regex(HEADER_VALUE, 'must not contain CR, LF or NUL')), secretReferenceSchema],
  { error: 'expected a string or a secret reference such as {"secret": "prod/api", "field": "key"}' },
);

const httpUrlSchema = z.string().check(
  z.maxLength(8192),
  z.refine((value) => URL.canParse(value), 'must be an absolute URL such as https://api.example.com/items'),
  z.refine((value) => !URL.canParse(value) || ['http:', 'https:'].includes(new URL(value).protocol), 'must use http or https'),
  z.refine(
    (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
    'must not contain user:password; send credentials in headers or with auth.bearerSecret, because the event is stored as the execution input',
  ),
);

const methodSchema = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value: string) => value.toUpperCase()),
  ),
  z.enum(HTTP_METHODS),
);

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const jsonValueSchema: z.ZodMiniType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

/** The invocation event of `restCaller`. Every field is optional; unknown keys are rejected. */
export const eventSchema = z.strictObject({
  /** Target URL. Default: the `API_URL` environment variable, else the sample API of the reference project. */
  url: z.optional(httpUrlSchema),

  /** HTTP method, any case on input. Default GET. */
  method: z._default(methodSchema, 'GET'),

  /** Request headers; a value may be a secret reference. */
  headers: z._default(z.record(z.string().check(z.regex(HEADER_NAME, 'header names must be HTTP tokens')), headerValueSchema), {}),

  /** Query parameters appended to the URL. */
  query: z._default(
    z.record(z.string().check(z.minLength(1)), z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })),
    {},
  ),

  /** Request body: a string is sent as is, any other JSON value as JSON. */
  body: z.optional(jsonValueSchema),

  /** Deadline of one attempt, from connect to the last body byte, in seconds. Default 10. */
  timeoutSeconds: z._default(z.number().check(z.positive(), z.maximum(900)), 10),

  retry: z.prefault(retrySchema, {}),

  /** `"auto"` derives an Idempotency-Key header from the durable execution; any other string is sent as given. */
  idempotencyKey: z.optional(z.string().check(z.minLength(1), z.maxLength(255), z.regex(HEADER_VALUE, 'must not contain CR, LF or NUL'))),

  /** Bearer token taken from a secret at request time. */
  auth: z.optional(z.strictObject({ bearerSecret: secretReferenceSchema.shape.secret })),

  /** Largest response body kept, in bytes. Default 200 KiB, at most 240 KiB. */
  maxResponseBytes: z._default(z.integer(1, MAX_RESPONSE_BYTES_LIMIT), 200 * 1024),

  /** Handling of a larger body: `fail` (default), or `truncate` to keep its first bytes. */
  onLargeResponse: z._default(z.enum(['fail', 'truncate']), 'fail'),

  /** Redirects followed by the step. Default 5; 0 returns the 3xx response as it is. */
  maxRedirects: z._default(z.integer(0, 20), 5),

  /** Durable wait before the first request, in seconds. Default 0. */
  delaySeconds: z._default(z.integer(0, 31_622_400), 0),

  poll: z.optional(pollSchema),
});

/** The event after validation, with every default filled in. `url` is still optional here. */
export type ParsedEvent = z.infer<typeof eventSchema>;
export type SecretReference = z.infer<typeof secretReferenceSchema>;
export type { JsonValue };
