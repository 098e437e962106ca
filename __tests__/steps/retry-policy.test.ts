import { StepInterruptedError, type RetryDecision } from '@aws/durable-execution-sdk-js';

import { ConnectionError, HttpStatusError, InvalidResponseError } from '../../src/errors';
import type { StructuredLogger } from '../../src/logging';
import { retrySchema } from '../../src/schemas/retry';
import { createHttpRetryPolicy } from '../../src/steps/http/retry-policy';

/** Largest value below 1, so that full jitter gives the whole backoff before rounding. */
const ALMOST_ONE = 1 - Number.EPSILON;

function createPolicy(retry: Record<string, unknown> = {}, retryInterrupted = true, logger?: StructuredLogger) {
  return createHttpRetryPolicy({ retry: retrySchema.parse(retry), retryInterrupted, logger });
}

function statusError(status: number, retryAfterSeconds?: number, retryable = true): HttpStatusError {
  return new HttpStatusError(`API answered ${status}.`, retryable, { status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
}

function delaySeconds(decision: RetryDecision): number | undefined {
  return decision.delay?.seconds;
}

describe('createHttpRetryPolicy', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('full jitter', () => {
    const retry = { maxAttempts: 10, initialDelaySeconds: 2, backoffRate: 2, maxDelaySeconds: 10 };

    it.each([
      [1, 2],
      [2, 4],
      [3, 8],
      [4, 10],
      [5, 10],
    ])('after attempt %i reaches backoff %i', (attemptsMade, backoff) => {
      jest.spyOn(Math, 'random').mockReturnValue(ALMOST_ONE);
      const policy = createPolicy(retry);

      const decision = policy(statusError(503), attemptsMade);

      expect(decision.shouldRetry).toBe(true);
      expect(delaySeconds(decision)).toBe(backoff);
    });

    it.each([1, 2, 3, 4, 5])('after attempt %i goes down to 1 s', (attemptsMade) => {
      jest.spyOn(Math, 'random').mockReturnValue(0);
      const policy = createPolicy(retry);

      const decision = policy(statusError(503), attemptsMade);

      expect(delaySeconds(decision)).toBe(1);
    });

    it('keeps random delays within bounds', () => {
      const policy = createPolicy(retry);
      const samples: { attemptsMade: number; delay: number | undefined }[] = [];

      for (let attemptsMade = 1; attemptsMade <= 9; attemptsMade += 1) {
        for (let sample = 0; sample < 200; sample += 1) {
          samples.push({ attemptsMade, delay: delaySeconds(policy(statusError(503), attemptsMade)) });
        }
      }

      const backoffCap = (attemptsMade: number) => Math.min(2 * 2 ** (attemptsMade - 1), 10);
      expect(samples.filter(({ delay }) => !Number.isInteger(delay))).toEqual([]);
      expect(samples.filter(({ delay }) => delay! < 1)).toEqual([]);
      expect(samples.filter(({ attemptsMade, delay }) => delay! > backoffCap(attemptsMade))).toEqual([]);
    });
  });

  describe('Retry-After', () => {
    it('wins over shorter backoff', () => {
      jest.spyOn(Math, 'random').mockReturnValue(ALMOST_ONE);
      const policy = createPolicy({ initialDelaySeconds: 2 });

      const decision = policy(statusError(429, 7), 1);

      expect(delaySeconds(decision)).toBe(7);
    });

    it('loses to longer backoff', () => {
      jest.spyOn(Math, 'random').mockReturnValue(ALMOST_ONE);
      const policy = createPolicy({ initialDelaySeconds: 8 });

      const decision = policy(statusError(503, 3), 1);

      expect(delaySeconds(decision)).toBe(8);
    });

    it('may exceed maxDelaySeconds', () => {
      const policy = createPolicy({ maxDelaySeconds: 4 });

      const decision = policy(statusError(503, 60), 1);

      expect(delaySeconds(decision)).toBe(60);
    });

    it('of 0 keeps 1 s minimum', () => {
      jest.spyOn(Math, 'random').mockReturnValue(0);
      const policy = createPolicy();

      const decision = policy(statusError(429, 0), 1);

      expect(delaySeconds(decision)).toBe(1);
    });

    it('logs backoff and Retry-After', () => {
      jest.spyOn(Math, 'random').mockReturnValue(ALMOST_ONE);
      const lines: unknown[] = [];
      const logger: StructuredLogger = { info: () => {}, warn: (line) => lines.push(line), error: () => {} };
      const policy = createPolicy({ initialDelaySeconds: 2 }, true, logger);

      policy(statusError(429, 7), 1);

      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ event: 'http.retry', backoffSeconds: 2, retryAfterSeconds: 7, delaySeconds: 7 });
    });
  });

  describe('decision', () => {
    it('stops at maxAttempts', () => {
      const policy = createPolicy({ maxAttempts: 3 });

      const decision = policy(statusError(503), 3);

      expect(decision.shouldRetry).toBe(false);
    });

    it('retries retryable connection error', () => {
      const policy = createPolicy();

      const decision = policy(new ConnectionError('reset', { code: 'ECONNRESET', requestSent: true }), 1);

      expect(decision.shouldRetry).toBe(true);
    });

    it.each([
      ['non-retryable status', statusError(404, undefined, false)],
      ['invalid response', new InvalidResponseError('bad JSON', {})],
      ['programming error', new TypeError('x is undefined')],
    ])('skips %s', (_case, error) => {
      const policy = createPolicy();

      const decision = policy(error, 1);

      expect(decision.shouldRetry).toBe(false);
    });

    it.each([
      [true, true],
      [false, false],
    ])('interrupted step with retryInterrupted %s retries: %s', (retryInterrupted, expected) => {
      const policy = createPolicy({}, retryInterrupted);

      const decision = policy(new StepInterruptedError('step-id', 'http-request'), 1);

      expect(decision.shouldRetry).toBe(expected);
    });
  });
});
