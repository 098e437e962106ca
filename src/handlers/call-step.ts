import { StepSemantics, type DurableContext } from '@aws/durable-execution-sdk-js';

import { RestCallError } from '../errors';
import { logEvent } from '../logging';
import type { CallRequest } from '../schemas/parse-event';
import { maskUrl } from '../security/redaction';
import { callApi, type CallApiDependencies } from '../steps/http/call-api';
import { deriveIdempotencyKey, isUnsafeToRepeat } from '../steps/http/idempotency';
import type { HttpCallResult } from '../steps/http/result';
import { createHttpRetryPolicy } from '../steps/http/retry-policy';

/**
 * Runs the HTTP call as a durable step named `name`, with the retry policy of the
 * event. A POST or PATCH without an idempotency key uses at-most-once semantics, so
 * an attempt cut off by the end of an invocation is not sent a second time.
 */
export function runCallStep(
  context: DurableContext,
  name: string,
  request: CallRequest,
  dependencies: CallApiDependencies,
  acceptStatus?: ReadonlySet<number>,
): Promise<HttpCallResult> {
  const unsafeToRepeat = isUnsafeToRepeat(request.method, request.idempotencyKey !== undefined, request.retry.unsafe);

  return context.step(
    name,
    async (step) => {
      const idempotencyKey =
        request.idempotencyKey === 'auto' ? deriveIdempotencyKey(context.executionContext.durableExecutionArn, name) : request.idempotencyKey;

      const startedAt = performance.now();
      const attemptFields = { method: request.method, attempt: step.attempt };

      try {
        const result = await callApi(
          { request, idempotencyKey, acceptStatus, remainingTimeMs: () => context.lambdaContext.getRemainingTimeInMillis() },
          dependencies,
          step.attempt,
        );
        logEvent(step.logger, 'info', 'http.attempt', { ...attemptFields, url: result.url, status: result.status, durationMs: result.elapsedMs, outcome: 'succeeded' });
        step.logger.debug({ event: 'http.body', url: result.url, bodyEncoding: result.bodyEncoding, preview: previewBody(result) });
        return result;
      } catch (error) {
        const details = error instanceof RestCallError ? error.details : {};
        logEvent(step.logger, 'warn', 'http.attempt', {
          ...attemptFields,
          url: details.url ?? maskUrl(request.url),
          status: details.status ?? null,
          durationMs: Math.round(performance.now() - startedAt),
          outcome: 'failed',
          errorName: (error as Error).name,
          code: details.code ?? null,
        });
        throw error;
      }
    },
    {
      retryStrategy: createHttpRetryPolicy({ retry: request.retry, retryInterrupted: !unsafeToRepeat, logger: context.logger }),
      semantics: unsafeToRepeat ? StepSemantics.AtMostOncePerRetry : StepSemantics.AtLeastOncePerRetry,
    },
  );
}

/** Characters of a response body written to the debug log. */
const BODY_PREVIEW_CHARS = 1024;

/** Returns the start of the body as text, for the `http.body` debug line that `AWS_LAMBDA_LOG_LEVEL=DEBUG` turns on. */
function previewBody(result: HttpCallResult): string {
  const text = typeof result.data === 'string' ? result.data : JSON.stringify(result.data);
  return text.length > BODY_PREVIEW_CHARS ? `${text.slice(0, BODY_PREVIEW_CHARS)}…` : text;
}
