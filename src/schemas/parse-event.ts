import type { $ZodIssue } from 'zod/v4/core';

import { eventSchema, type ParsedEvent } from './event';

/** URL called when neither the event nor `API_URL` names one; the reference sample uses the same. */
export const SAMPLE_API_URL = 'https://jsonplaceholder.typicode.com/posts/1';

/** One reason an event is invalid, with the dotted path of the field (`(root)` for the event itself). */
export interface EventProblem {
  path: string;
  message: string;
}

/** The validated event with `url` resolved. */
export type CallRequest = ParsedEvent & { url: string };

export interface ParseEventOptions {
  /** URL used when the event has none, normally from `API_URL`. Default {@link SAMPLE_API_URL}. */
  defaultUrl?: string;

  /** Durable execution timeout of the function, in seconds; delay plus polling must fit in it. */
  executionTimeoutSeconds?: number;
}

export type ParseEventResult =
  | { ok: true; request: CallRequest }
  | { ok: false; problems: EventProblem[] };

/**
 * Validates an invocation event and fills in defaults. A `null` or missing event counts
 * as `{}`, so `sls invoke` without a payload calls the default URL.
 */
export function parseEvent(raw: unknown, options: ParseEventOptions = {}): ParseEventResult {
  const parsed = eventSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map(toProblem) };
  }

  const request: CallRequest = { ...parsed.data, url: parsed.data.url ?? options.defaultUrl ?? SAMPLE_API_URL };

  const timing = checkTimingFits(request, options.executionTimeoutSeconds);
  if (timing) {
    return { ok: false, problems: [timing] };
  }

  return { ok: true, request };
}

function toProblem(issue: $ZodIssue): EventProblem {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';

  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}; see the event field table in the durable-rest-caller README` };
  }

  if (issue.code === 'invalid_key') {
    return { path, message: `invalid key: ${issue.issues.map((inner) => inner.message).join('; ')}` };
  }

  return { path, message: issue.message };
}

/** Rejects a delay plus polling window that cannot finish inside the durable execution timeout. */
function checkTimingFits(request: CallRequest, executionTimeoutSeconds: number | undefined): EventProblem | undefined {
  if (executionTimeoutSeconds === undefined) {
    return undefined;
  }

  const pollSeconds = request.poll?.timeoutSeconds ?? 0;
  const needed = request.delaySeconds + pollSeconds;
  if (needed < executionTimeoutSeconds) {
    return undefined;
  }

  return {
    path: request.poll ? 'poll.timeoutSeconds' : 'delaySeconds',
    message:
      `delaySeconds (${request.delaySeconds}) plus poll.timeoutSeconds (${pollSeconds}) is ${needed} s, ` +
      `which does not fit in the durable execution timeout of ${executionTimeoutSeconds} s; ` +
      'lower them or raise the executionTimeout param in serverless.yml',
  };
}
