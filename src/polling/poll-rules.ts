import type { PollOptions } from '../schemas/poll';
import type { HttpCallResult } from '../steps/http/result';

import { readJsonPointer } from './json-pointer';

/** Headers that name the URL of a long-running operation, in order of preference. */
const OPERATION_URL_HEADERS = ['operation-location', 'location'] as const;

/**
 * Tells whether a response means "not finished yet": its status is one of `poll.onStatus`,
 * or `poll.until` is set and the field it names has none of the final values.
 */
export function isPending(result: HttpCallResult, poll: PollOptions): boolean {
  if (poll.onStatus.includes(result.status)) {
    return true;
  }
  if (!poll.until || result.status >= 300) {
    return false;
  }

  const state = readJsonPointer(result.data, poll.until.path);
  return !poll.until.in.some((finalValue) => finalValue === state);
}

/** Returns the state shown in a 504 body: the `poll.until` field when set, else the status. */
export function describeState(result: HttpCallResult, poll: PollOptions): unknown {
  return poll.until ? (readJsonPointer(result.data, poll.until.path) ?? null) : result.status;
}

/**
 * Finds the URL to poll: the Operation-Location or Location header, else the string
 * at `poll.urlFrom` in the body, resolved against the URL that was called. Returns
 * undefined when the response names none.
 */
export function findOperationUrl(result: HttpCallResult, poll: PollOptions, requestUrl: string): string | undefined {
  const candidates = [
    ...OPERATION_URL_HEADERS.map((name) => result.headers[name]),
    poll.urlFrom ? readJsonPointer(result.data, poll.urlFrom) : undefined,
  ];

  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '' && URL.canParse(candidate, requestUrl)) {
      return new URL(candidate, requestUrl).href;
    }
  }
  return undefined;
}

/**
 * Chooses the wait before the next check, in whole seconds: the response's
 * Retry-After (converted to seconds inside the step, so replays agree) when present, else the previous interval grown by `backoffRate`
 * (the first interval is `intervalSeconds`), capped by `maxIntervalSeconds`.
 */
export function nextIntervalSeconds(result: HttpCallResult, poll: PollOptions, previousSeconds: number | undefined): number {
  const retryAfter = result.retryAfterSeconds;
  if (retryAfter !== undefined) {
    return Math.max(1, Math.min(retryAfter, poll.maxIntervalSeconds));
  }

  const grown = previousSeconds === undefined ? poll.intervalSeconds : Math.ceil(previousSeconds * poll.backoffRate);
  return Math.max(1, Math.min(grown, poll.maxIntervalSeconds));
}
