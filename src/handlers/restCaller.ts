import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';

import { loadSettings, type Settings } from '../config/settings';
import { readRestCallErrorData } from '../errors';
import { JsonLogger, logEvent } from '../logging';
import { parseEvent, type CallRequest } from '../schemas/parse-event';
import { maskUrl } from '../security/redaction';
import { createAwsSecretResolver } from '../security/secrets';
import type { CallApiDependencies } from '../steps/http/call-api';

import { runCallStep } from './call-step';
import { pollUntilDone } from './poll-loop';
import { failedCallResponse, invalidEventResponse, noOperationUrlResponse, pollTimeoutResponse, successResponse, type RestCallerResponse } from './responses';

/** Overrides for tests and embedders; production uses the environment and AWS clients. */
export interface RestCallerOptions {
  /** Default: {@link loadSettings} of `process.env`, read once when the handler is created. */
  settings?: Settings;

  /** Default: the system DNS resolver and an AWS secret resolver. */
  dependencies?: Partial<Pick<CallApiDependencies, 'lookup' | 'secrets'>>;
}

/** Name of the durable step that makes the call; it appears in the execution history. */
export const CALL_STEP_NAME = 'http-request';

/** Creates the durable handler. Invalid settings throw here, which is at cold start for {@link handler}. */
export function createRestCallerHandler(options: RestCallerOptions = {}) {
  const settings = options.settings ?? loadSettings(process.env);
  const dependencies: CallApiDependencies = {
    guard: settings.guard,
    redactedHeaders: settings.redactedHeaders,
    lookup: options.dependencies?.lookup,
    secrets: options.dependencies?.secrets ?? createAwsSecretResolver(),
  };

  const logger = new JsonLogger();

  return withDurableExecution(async (event: unknown, context: DurableContext): Promise<RestCallerResponse> => {
    context.configureLogger({ customLogger: logger });

    const parsed = parseEvent(event, { defaultUrl: settings.defaultUrl, executionTimeoutSeconds: settings.executionTimeoutSeconds });
    if (!parsed.ok) {
      logEvent(context.logger, 'warn', 'event.invalid', { problems: parsed.problems });
      return invalidEventResponse(parsed.problems);
    }

    return callAndRespond(context, parsed.request, dependencies);
  });
}

async function callAndRespond(context: DurableContext, request: CallRequest, dependencies: CallApiDependencies): Promise<RestCallerResponse> {
  const url = maskUrl(request.url);

  if (request.delaySeconds > 0) {
    await context.wait('delay', { seconds: request.delaySeconds });
  }

  try {
    const first = await runCallStep(context, CALL_STEP_NAME, request, dependencies, request.poll ? new Set(request.poll.onStatus) : undefined);
    if (!request.poll) {
      return successResponse(url, first, first);
    }

    const outcome = await pollUntilDone(context, request, request.poll, first, dependencies);
    switch (outcome.kind) {
      case 'done':
        return successResponse(url, outcome.result, first, outcome.polls);
      case 'timedOut':
        return pollTimeoutResponse(url, outcome, request.poll);
      case 'noOperationUrl':
        return noOperationUrlResponse(url, outcome.last);
    }
  } catch (error) {
    const failure = readRestCallErrorData(error);
    logEvent(context.logger, 'error', 'http.failed', { url, errorName: failure?.name ?? (error as Error).name, details: { ...failure?.details, responseBody: undefined } });
    return failedCallResponse(url, failure, (error as Error).message, failure?.details.attempt ?? request.retry.maxAttempts);
  }
}

/** The Lambda entry point, configured from the environment. */
export const handler = createRestCallerHandler();
