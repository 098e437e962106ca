import type http from 'node:http';

import { HttpStatusError, RestCallError, RetryAfterTooLongError } from '../../errors';
import { DEFAULT_RETRY_ON_STATUS } from '../../schemas/retry';
import type { CallRequest } from '../../schemas/parse-event';
import { checkDestination, type GuardPolicy, type LookupFunction } from '../../security/destination-guard';
import { maskUrl, redactHeaders } from '../../security/redaction';
import type { SecretResolver } from '../../security/secrets';

import { fitCheckpoint } from './checkpoint-fit';
import { classifyFailure } from './classify-error';
import { decodeContent } from './decode-content';
import { attemptTimeoutMs, Deadline } from './deadline';
import { guardNonIdempotentRetry } from './idempotency';
import { prepareRequest, type PreparedRequest } from './build-request';
import { BodyDecodeFailed, readBody, type BodyBytes, type BodyLimits } from './read-body';
import { nextHop, REDIRECT_STATUSES, type RedirectHop } from './redirects';
import type { HttpCallResult } from './result';
import { parseRetryAfter } from './retry-after';
import { openExchange, type ExchangeProgress, type OpenResponse } from './transport';

/** Services the step uses, injected so tests can swap DNS and the secret store. */
export interface CallApiDependencies {
  guard: GuardPolicy;

  /** DNS lookup used by the destination guard. Default: the system resolver. */
  lookup?: LookupFunction;

  secrets: SecretResolver;

  /** Lower-cased header names replaced by `[REDACTED]` in results and logs. */
  redactedHeaders: ReadonlySet<string>;
}

/** One call, as the handler requests it. */
export interface CallApiInput {
  request: CallRequest;

  /** Value of the Idempotency-Key header, already derived for `"auto"`. */
  idempotencyKey?: string;

  /** Time left in the Lambda invocation, in ms; the attempt deadline stays below it. */
  remainingTimeMs?: () => number;

  /** Statuses returned as results even though they are not 2xx, such as custom polling statuses. */
  acceptStatus?: ReadonlySet<number>;
}

/** Statuses whose body is empty by definition. */
const NO_BODY_STATUSES = new Set([204, 205, 304]);

/** Bytes of an error response kept for the 502 details. */
const ERROR_BODY_PREVIEW_BYTES = 1024;

/**
 * Runs one attempt of the HTTP call: destination guard, request, redirects, body
 * and decoding. Returns the JSON-safe result for a 2xx (or accepted) status and
 * throws a {@link RestCallError} for everything else.
 */
export async function callApi(input: CallApiInput, dependencies: CallApiDependencies, attempt: number): Promise<HttpCallResult> {
  const { request } = input;
  const startedAt = new Date().toISOString();
  const deadline = new Deadline(attemptTimeoutMs(request.timeoutSeconds, input.remainingTimeMs?.()));
  const progress: ExchangeProgress = { requestSent: false };
  let currentUrl: string | undefined;
  let contentLength: number | undefined;
  let contentEncoding: string | undefined;

  try {
    const prepared = await prepareRequest(request, dependencies.secrets, input.idempotencyKey);

    const final = await followRedirects(prepared, dependencies, deadline, progress, request.maxRedirects);
    currentUrl = maskUrl(final.url);
    final.maskedUrl = currentUrl;
    contentLength = parseContentLength(final.response.headers);
    contentEncoding = headerText(final.response.headers['content-encoding']);

    const { result, bodyBytes } = await buildResult(final, request, dependencies, { attempt, startedAt, elapsedMs: () => deadline.elapsedMs() });
    ensureAcceptedStatus(result, request, input.acceptStatus, attempt);
    return fitCheckpoint(result, request.onLargeResponse === 'truncate', bodyBytes);
  } catch (error) {
    const failure = classifyFailure(error, { deadline, progress, url: currentUrl ?? maskUrl(request.url), attempt, contentLength, contentEncoding });
    if (failure instanceof RestCallError) {
      guardNonIdempotentRetry(failure, request.method, input.idempotencyKey !== undefined, request.retry.unsafe);
    }
    throw failure;
  } finally {
    deadline.dispose();
  }
}

interface FinalResponse {
  url: URL;

  /** `url` with credentials masked, computed once per attempt. */
  maskedUrl?: string;
  method: string;
  response: OpenResponse;
  redirects: RedirectHop[];
}

/** Sends the request and follows redirects, checking every hop with the destination guard. */
async function followRedirects(
  prepared: PreparedRequest,
  dependencies: CallApiDependencies,
  deadline: Deadline,
  progress: ExchangeProgress,
  maxRedirects: number,
): Promise<FinalResponse> {
  let { url, method, headers, body } = prepared;
  const visited = new Set<string>([url.href]);
  const redirects: RedirectHop[] = [];

  for (;;) {
    const destination = await checkDestination(url, dependencies.guard, dependencies.lookup);
    const response = await openExchange({ url, method, headers, body, address: destination.address, family: destination.family }, deadline, progress);

    if (maxRedirects === 0 || !REDIRECT_STATUSES.has(response.status) || response.headers.location === undefined) {
      return { url, method, response, redirects };
    }
    response.stream.destroy();

    const hop = nextHop(url, method, response.status, response.headers.location, visited, maxRedirects);
    redirects.push({ status: response.status, location: maskUrl(hop.url) });
    visited.add(hop.url.href);

    headers = hop.crossOrigin ? dropCredentials(headers, prepared.secretHeaders, dependencies.redactedHeaders) : headers;
    if (hop.dropBody) {
      headers = withoutContentHeaders(headers);
      body = undefined;
    }
    ({ url, method } = hop);
  }
}

interface ResultTiming {
  attempt: number;
  startedAt: string;
  elapsedMs: () => number;
}

/** The result of an attempt, and the decoded body size in bytes that the checkpoint check starts from. */
interface BuiltResult {
  result: HttpCallResult;
  bodyBytes: number;
}

async function buildResult(final: FinalResponse, request: CallRequest, dependencies: CallApiDependencies, timing: ResultTiming): Promise<BuiltResult> {
  const { response } = final;
  const hasBody = final.method !== 'HEAD' && !NO_BODY_STATUSES.has(response.status);
  const succeeded = response.status < 400;

  const limits = succeeded
    ? { maxBytes: request.maxResponseBytes, truncate: request.onLargeResponse === 'truncate' }
    : { maxBytes: ERROR_BODY_PREVIEW_BYTES, truncate: true };
  const body = hasBody ? await readBodyOrPreview(response.stream, limits, succeeded) : { bytes: Buffer.alloc(0), truncated: false };
  response.stream.destroy();

  const contentType = headerText(response.headers['content-type']);
  const retryAfterSeconds = parseRetryAfter(headerText(response.headers['retry-after']), Date.now());
  const content = succeeded
    ? decodeContent(body.bytes, contentType, body.truncated)
    : { data: body.bytes.toString('utf8'), bodyEncoding: 'text' as const };

  const result: HttpCallResult = {
    status: response.status,
    headers: redactHeaders(flattenHeaders(response.headers), dependencies.redactedHeaders),
    data: content.data,
    bodyEncoding: content.bodyEncoding,
    ...(body.truncated && succeeded ? { truncated: true } : {}),
    url: final.maskedUrl ?? maskUrl(final.url),
    redirects: final.redirects,
    elapsedMs: timing.elapsedMs(),
    startedAt: timing.startedAt,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    attempt: timing.attempt,
  };
  return { result, bodyBytes: body.bytes.length };
}

/**
 * Reads the body within `limits`. The body of an error status is only a preview, so
 * one that cannot be decoded becomes a note in the preview instead of failing the
 * attempt with InvalidResponseError, and the status still decides about retries.
 */
async function readBodyOrPreview(stream: http.IncomingMessage, limits: BodyLimits, succeeded: boolean): Promise<BodyBytes> {
  try {
    return await readBody(stream, limits);
  } catch (error) {
    if (succeeded || !(error instanceof BodyDecodeFailed)) {
      throw error;
    }
    return { bytes: Buffer.from(`[response body not shown: ${error.message}]`, 'utf8'), truncated: false };
  }
}

/** Throws {@link HttpStatusError} for a status that is not a success, with the retry decision for it. */
function ensureAcceptedStatus(result: HttpCallResult, request: CallRequest, acceptStatus: ReadonlySet<number> | undefined, attempt: number): void {
  if (result.status < 400 || acceptStatus?.has(result.status)) {
    return;
  }

  const retryOn = request.retry.retryOnStatus ?? DEFAULT_RETRY_ON_STATUS;
  const retryable = retryOn.includes(result.status);
  const retryAfterSeconds = result.status === 429 || result.status === 503 ? result.retryAfterSeconds : undefined;
  const details = { status: result.status, url: result.url, attempt, responseBody: typeof result.data === 'string' ? result.data : null };

  if (retryable && retryAfterSeconds !== undefined && retryAfterSeconds > request.retry.maxRetryAfterSeconds) {
    throw new RetryAfterTooLongError(
      `API ${result.url} returned ${result.status} with Retry-After ${retryAfterSeconds} s, longer than retry.maxRetryAfterSeconds (${request.retry.maxRetryAfterSeconds} s), so the call failed instead of waiting. Raise retry.maxRetryAfterSeconds to wait that long.`,
      { ...details, retryAfterSeconds, maxRetryAfterSeconds: request.retry.maxRetryAfterSeconds },
    );
  }

  const verdict = retryable ? 'retryable' : 'not retryable';
  throw new HttpStatusError(`API ${result.url} returned ${result.status} (${verdict}).`, retryable, {
    ...details,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

function dropCredentials(headers: Record<string, string>, secretHeaders: ReadonlySet<string>, redacted: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !secretHeaders.has(name) && !redacted.has(name)));
}

function withoutContentHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('content-')));
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return flat;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseContentLength(headers: http.IncomingHttpHeaders): number | undefined {
  const value = Number(headers['content-length']);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
