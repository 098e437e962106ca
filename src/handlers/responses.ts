import type { RestCallErrorData } from '../errors';
import type { EventProblem } from '../schemas/parse-event';
import type { PollOptions } from '../schemas/poll';
import { maskUrl } from '../security/redaction';
import type { HttpCallResult } from '../steps/http/result';

import { describeState } from '../polling/poll-rules';

import type { PollOutcome } from './poll-loop';

/** The response shape of the reference sample: an API Gateway style object with a JSON string body. */
export interface RestCallerResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** Builds a response whose body is the JSON text of `body`. */
export function jsonResponse(statusCode: number, body: Record<string, unknown>): RestCallerResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** 400: the event is invalid; each problem names its field path. No request was made. */
export function invalidEventResponse(problems: EventProblem[]): RestCallerResponse {
  return jsonResponse(400, {
    error: 'Invalid event',
    problems,
    hint: 'Fix the fields listed in problems; the README lists every event field with its default.',
  });
}

/** 403 for a blocked destination, 502 for every other failed call. */
export function failedCallResponse(url: string, failure: RestCallErrorData | undefined, message: string, attempts: number): RestCallerResponse {
  const blocked = failure?.name === 'DestinationBlockedError';
  const status = failure?.details.status;

  return jsonResponse(blocked ? 403 : 502, {
    error: blocked ? 'Destination blocked' : 'API call failed after retries',
    url,
    details: { message, name: failure?.name ?? 'Error', retryable: failure?.retryable ?? false, ...failure?.details },
    ...(typeof status === 'number' ? { status } : {}),
    attempts,
  });
}

/** Response headers that carry URLs, masked like every other URL the service returns. */
const URL_HEADERS = ['location', 'content-location', 'operation-location'];

/**
 * 200: the call succeeded. `result` is the final response (after polling, if any) and
 * `first` the first call, whose start time is `calledAt`.
 */
export function successResponse(url: string, result: HttpCallResult, first: HttpCallResult, polls?: number): RestCallerResponse {
  return jsonResponse(200, {
    message: 'API call successful',
    url,
    data: result.data,
    status: result.status,
    attempts: result.attempt,
    bodyEncoding: result.bodyEncoding,
    ...(result.truncated ? { truncated: true } : {}),
    headers: maskUrlHeaders(result.headers),
    finalUrl: result.url,
    redirects: result.redirects,
    calledAt: first.startedAt,
    ...(polls !== undefined ? { polls, lastCheckedAt: result.startedAt } : {}),
    elapsedMs: result.elapsedMs,
  });
}

/** 504: the operation was still pending when `poll.timeoutSeconds` ran out. */
export function pollTimeoutResponse(url: string, outcome: Extract<PollOutcome, { kind: 'timedOut' }>, poll: PollOptions): RestCallerResponse {
  return jsonResponse(504, {
    error: 'Polling timed out',
    message: `The operation was still pending after ${outcome.polls} polls and ${outcome.waitedSeconds} s of waiting (poll.timeoutSeconds is ${poll.timeoutSeconds}). Raise poll.timeoutSeconds, or call the operation URL later.`,
    url,
    polls: outcome.polls,
    lastStatus: outcome.last.status,
    lastState: describeState(outcome.last, poll),
    lastData: outcome.last.data,
    operationUrl: outcome.last.url,
  });
}

/** 502: the API returned "pending" but named no URL to poll. */
export function noOperationUrlResponse(url: string, last: HttpCallResult): RestCallerResponse {
  const message = `API returned ${last.status} without a Location or Operation-Location header, so there is no operation URL to poll. Set poll.urlFrom to the JSON pointer of the URL in the body.`;
  return failedCallResponse(url, { name: 'PollTargetMissing', retryable: false, details: { status: last.status } }, message, last.attempt);
}

function maskUrlHeaders(headers: Record<string, string>): Record<string, string> {
  const masked = { ...headers };
  for (const name of URL_HEADERS) {
    const value = masked[name];
    if (value !== undefined && URL.canParse(value)) {
      masked[name] = maskUrl(value);
    }
  }
  return masked;
}
