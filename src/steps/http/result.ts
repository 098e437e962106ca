import type { JsonValue } from '../../schemas/event';

import type { BodyEncoding } from './decode-content';
import type { RedirectHop } from './redirects';

/** Result of one successful HTTP step. Every field survives JSON, as checkpoints require. */
export interface HttpCallResult {
  status: number;

  /** Response headers with lower-case names; credential headers are `[REDACTED]`. */
  headers: Record<string, string>;

  /** Parsed JSON, text, base64 text (see `bodyEncoding`), or null for an empty body. */
  data: JsonValue;

  bodyEncoding: BodyEncoding;

  /** Present and true when the body was cut to `maxResponseBytes` or to the checkpoint limit. */
  truncated?: boolean;

  /** Redacted URL of the final request, after redirects. */
  url: string;

  redirects: RedirectHop[];

  /** Time from the first connect to the last body byte, in ms. */
  elapsedMs: number;

  /** ISO 8601 time at which the attempt started. */
  startedAt: string;

  /** `Retry-After` of the response in seconds from the time it arrived, when the header was valid. */
  retryAfterSeconds?: number;

  /** Step attempt that produced this result, starting at 1. */
  attempt: number;
}
