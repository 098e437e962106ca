import type { DurableContext } from '@aws/durable-execution-sdk-js';

import { logEvent } from '../logging';
import { describeState, findOperationUrl, isPending, nextIntervalSeconds } from '../polling/poll-rules';
import type { CallRequest } from '../schemas/parse-event';
import type { PollOptions } from '../schemas/poll';
import { maskUrl } from '../security/redaction';
import type { CallApiDependencies } from '../steps/http/call-api';
import type { HttpCallResult } from '../steps/http/result';

import { runCallStep } from './call-step';

/** Result of polling. Only `timedOut` and `noOperationUrl` are failures. */
export type PollOutcome =
  | { kind: 'done'; result: HttpCallResult; polls: number }
  | { kind: 'timedOut'; last: HttpCallResult; polls: number; waitedSeconds: number }
  | { kind: 'noOperationUrl'; last: HttpCallResult };

/**
 * Polls a long-running operation until it is no longer pending. Every check is its
 * own step (`poll-N`, with the call's retry policy) and every pause a durable wait
 * (`poll-wait-N`), so no compute runs while waiting. The time budget counts the
 * durable waits, which keeps every decision the same on replay.
 */
export async function pollUntilDone(
  context: DurableContext,
  request: CallRequest,
  poll: PollOptions,
  first: HttpCallResult,
  dependencies: CallApiDependencies,
): Promise<PollOutcome> {
  if (!isPending(first, poll)) {
    return { kind: 'done', result: first, polls: 0 };
  }

  let operationUrl = findOperationUrl(first, poll, request.url) ?? (request.method === 'GET' ? request.url : undefined);
  if (operationUrl === undefined) {
    return { kind: 'noOperationUrl', last: first };
  }

  const acceptStatus = new Set(poll.onStatus);
  let last = first;
  let intervalSeconds = nextIntervalSeconds(first, poll, undefined);
  let waitedSeconds = 0;

  for (let polls = 1; ; polls += 1) {
    const remainingSeconds = poll.timeoutSeconds - waitedSeconds;
    if (remainingSeconds <= 0) {
      return { kind: 'timedOut', last, polls: polls - 1, waitedSeconds };
    }

    const waitSeconds = Math.min(intervalSeconds, remainingSeconds);
    await context.wait(`poll-wait-${polls}`, { seconds: waitSeconds });
    waitedSeconds += waitSeconds;

    // Built per check, because a later response may move the operation to another origin.
    const pollRequest = toPollRequest(request, operationUrl, dependencies.redactedHeaders);
    last = await runCallStep(context, `poll-${polls}`, pollRequest, dependencies, acceptStatus);
    logEvent(context.logger, 'info', 'poll.checked', { poll: polls, url: maskUrl(operationUrl), status: last.status, state: describeState(last, poll), waitedSeconds });

    if (!isPending(last, poll)) {
      return { kind: 'done', result: last, polls };
    }

    operationUrl = findOperationUrl(last, poll, operationUrl) ?? operationUrl;
    intervalSeconds = nextIntervalSeconds(last, poll, intervalSeconds);
  }
}

/**
 * Builds the request of each check: a GET of the operation URL with the caller's headers,
 * no body, no query and no idempotency key. Checks never follow the caller's method,
 * so polling cannot repeat a POST.
 */
function toPollRequest(request: CallRequest, operationUrl: string, redactedHeaders: ReadonlySet<string>): CallRequest {
  const sameOrigin = new URL(operationUrl).origin === new URL(request.url).origin;
  const headersWithoutCredentials = Object.fromEntries(
    Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !redactedHeaders.has(name.toLowerCase())),
  );

  return {
    ...request,
    url: operationUrl,
    method: 'GET',
    body: undefined,
    query: {},
    idempotencyKey: undefined,
    delaySeconds: 0,
    // A poll URL on another origin gets no credential headers, as on a cross-origin redirect.
    headers: sameOrigin ? request.headers : headersWithoutCredentials,
    auth: sameOrigin ? request.auth : undefined,
  };
}
