import { gzipSync } from 'node:zlib';

import { json, resetBeforeHeaders, resetMidBody, shortBody, slowHeaders, startFaultServer, trickleBody, type FaultServer, type Route } from '../support/fault-server';
import { attemptCount, createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

const RETRY_ONCE = { maxAttempts: 2, initialDelaySeconds: 1 };

describe('HTTP step faults', () => {
  let server: FaultServer;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
  });

  describe('timeout', () => {
    it('retries slow headers', async () => {
      server = await startFaultServer({ '/slow': [slowHeaders(2_000), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/slow'), timeoutSeconds: 0.3, retry: RETRY_ONCE });

      const [firstAttempt] = outcome.history;
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toEqual({ ok: true });
      expect(outcome.body.attempts).toBe(2);
      expect(firstAttempt).toMatchObject({ outcome: 'failed', errorType: 'RequestTimeoutError' });
      expect(retryDelays(outcome.history)).toEqual([1]);
    });

    it('covers trickled body', async () => {
      // Headers arrive at once, but the 40-byte body takes 40 × 50 ms = 2 s.
      server = await startFaultServer({ '/trickle': trickleBody('x'.repeat(40), 50, { headers: { 'content-type': 'text/plain' } }) });

      const outcome = await runExecution(handler, { url: server.url('/trickle'), timeoutSeconds: 0.3, retry: RETRY_ONCE });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('RequestTimeoutError');
      expect(outcome.body.details.timeoutMs).toBe(300);
      expect(outcome.body.details.requestSent).toBe(true);
      expect(outcome.body.attempts).toBe(2);
      expect(attemptCount(outcome.history)).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
    });

    it('covers trickled gzip body', async () => {
      const body = gzipSync(JSON.stringify({ items: 'x'.repeat(1_000) }));
      server = await startFaultServer({ '/trickle': trickleBody(body, 50, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }) });

      const outcome = await runExecution(handler, { url: server.url('/trickle'), timeoutSeconds: 0.3, retry: { maxAttempts: 1 } });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('RequestTimeoutError');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it('allows trickle within deadline', async () => {
      server = await startFaultServer({ '/trickle': trickleBody('abcd', 20, { headers: { 'content-type': 'text/plain' } }) });

      const outcome = await runExecution(handler, { url: server.url('/trickle'), timeoutSeconds: 2, retry: RETRY_ONCE });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toBe('abcd');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('connection', () => {
    it.each<[string, () => Route]>([
      ['reset before headers', resetBeforeHeaders],
      ['reset mid-body', () => resetMidBody(10, 100)],
      ['short body', () => shortBody(10, 100)],
    ])('retries %s', async (_fault, fault) => {
      server = await startFaultServer({ '/flaky': [fault(), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/flaky'), retry: RETRY_ONCE });

      const [firstAttempt] = outcome.history;
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toEqual({ ok: true });
      expect(outcome.body.attempts).toBe(2);
      expect(firstAttempt).toMatchObject({ outcome: 'failed', errorType: 'ConnectionError' });
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/flaky')).toBe(2);
    });

    it.each<[string, () => Route]>([
      ['reset before headers', resetBeforeHeaders],
      ['reset mid-body', () => resetMidBody(10, 100)],
      ['short body', () => shortBody(10, 100)],
    ])('fails on repeated %s', async (_fault, fault) => {
      server = await startFaultServer({ '/flaky': fault() });

      const outcome = await runExecution(handler, { url: server.url('/flaky'), retry: RETRY_ONCE });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('ConnectionError');
      expect(outcome.body.details.code).toBe('ECONNRESET');
      expect(outcome.body.details.requestSent).toBe(true);
      expect(outcome.body.details.retryable).toBe(true);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/flaky')).toBe(2);
    });
  });
});
