import { ConnectionError, InvalidResponseError, RequestTimeoutError, ResponseTooLargeError, RestCallError } from '../../errors';

import { JsonParseFailed } from './decode-content';
import type { Deadline } from './deadline';
import { BodyDecodeFailed, BodyLimitExceeded } from './read-body';
import type { ExchangeProgress } from './transport';

/** Facts about the attempt at the moment it failed. */
export interface FailureContext {
  deadline: Deadline;
  progress: ExchangeProgress;
  url: string;
  attempt: number;
  contentLength?: number;

  /** Content-Encoding of the response, when it had one; Content-Length then counts encoded bytes. */
  contentEncoding?: string;
}

/** TLS failures that a retry cannot fix. */
const PERMANENT_TLS_CODE = /^(CERT_|ERR_TLS_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_)/;

/**
 * Turns whatever an attempt threw into the typed error the retry policy and the 502
 * body use. Errors that are neither network nor HTTP failures (programming errors)
 * are returned unchanged, and the retry policy does not retry them.
 */
export function classifyFailure(error: unknown, context: FailureContext): unknown {
  const base = { url: context.url, attempt: context.attempt };

  if (error instanceof RestCallError) {
    return error.addMissingDetails({ attempt: context.attempt });
  }

  if (context.deadline.expired) {
    return new RequestTimeoutError(
      `Request to ${context.url} timed out after ${context.deadline.timeoutMs} ms (deadline covers connect, headers and the whole body). Raise timeoutSeconds if the API is slow.`,
      { ...base, timeoutMs: context.deadline.timeoutMs, requestSent: context.progress.requestSent },
    );
  }

  if (error instanceof BodyLimitExceeded) {
    const encodedNote = context.contentEncoding ? ` before ${context.contentEncoding} decoding` : '';
    const length = context.contentLength === undefined ? 'unknown' : `${context.contentLength} bytes${encodedNote}`;
    return new ResponseTooLargeError(
      `Response from ${context.url} is larger than maxResponseBytes (${error.limit} bytes; Content-Length: ${length}). Raise maxResponseBytes (at most 245760) or set onLargeResponse to "truncate".`,
      { ...base, limit: error.limit, contentLength: context.contentLength ?? null },
    );
  }

  if (error instanceof BodyDecodeFailed || error instanceof JsonParseFailed) {
    return new InvalidResponseError(`Invalid response from ${context.url}: ${error.message}`, {
      ...base,
      ...(error instanceof JsonParseFailed ? { contentType: error.contentType } : { contentEncoding: error.encoding }),
    });
  }

  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const connectionError = new ConnectionError(
      `Connection to ${context.url} failed: ${code} (${(error as Error).message}).`,
      { ...base, code, requestSent: context.progress.requestSent },
      error as Error,
    );
    return PERMANENT_TLS_CODE.test(code) ? connectionError.preventRetry('TLS certificate errors do not go away on retry') : connectionError;
  }

  return error;
}
