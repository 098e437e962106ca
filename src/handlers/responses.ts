import type { RestCallErrorData } from '../errors';
import type { EventProblem } from '../schemas/parse-event';

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
