import { fromRequest, json, reply, retryAfterDate, retryAfterSeconds, startFaultServer, type FaultServer, type Route } from '../support/fault-server';
import { attemptCount, createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

/**
 * Builds a route whose `Retry-After` date lies `seconds` after the next whole second of
 * the clock at request time. An HTTP date has no milliseconds, so the parsed delay is
 * `seconds` (or one more) as long as the client parses it within a second.
 */
function retryAfterDateIn(status: number, seconds: number): Route {
  return fromRequest(() => retryAfterDate(status, new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000)));
}

describe('HTTP step retries', () => {
  let server: FaultServer;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
  });

  describe('status sequence', () => {
    it('retries 503, 503, then succeeds', async () => {
      server = await startFaultServer({ '/items': [reply(503), reply(503), json(200, { id: 7 })] });

      const outcome = await runExecution(handler, { url: server.url('/items'), retry: { initialDelaySeconds: 1, maxDelaySeconds: 4 } });

      const delays = retryDelays(outcome.history);
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toEqual({ id: 7 });
      expect(outcome.body.attempts).toBe(3);
      expect(attemptCount(outcome.history)).toBe(3);
      expect(delays).toHaveLength(2);
      expect(delays[0]).toBe(1);
      expect(delays[1]).toBeGreaterThanOrEqual(1);
      expect(delays[1]).toBeLessThanOrEqual(2);
      expect(server.requestCount('/items')).toBe(3);
    });

    it('fails after maxAttempts', async () => {
      server = await startFaultServer({ '/items': reply(503, { body: 'overloaded' }) });

      const outcome = await runExecution(handler, { url: server.url('/items'), retry: { maxAttempts: 2, initialDelaySeconds: 1 } });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.status).toBe(503);
      expect(outcome.body.details.name).toBe('HttpStatusError');
      expect(outcome.body.details.responseBody).toBe('overloaded');
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/items')).toBe(2);
    });

    it.each([408, 429, 500, 504])('retries default status %i', async (status) => {
      server = await startFaultServer({ '/items': [reply(status), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/items'), retry: { initialDelaySeconds: 1 } });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
    });

    it.each([400, 404, 422])('does not retry %i', async (status) => {
      server = await startFaultServer({ '/items': [reply(status), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/items'), retry: { initialDelaySeconds: 1 } });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.status).toBe(status);
      expect(outcome.body.details.retryable).toBe(false);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/items')).toBe(1);
    });
  });

  describe('retryOnStatus', () => {
    it('replaces default statuses', async () => {
      server = await startFaultServer({ '/teapot': [reply(418), reply(503), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/teapot'), retry: { retryOnStatus: [418], initialDelaySeconds: 1 } });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.status).toBe(503);
      expect(outcome.body.details.name).toBe('HttpStatusError');
      expect(outcome.body.details.retryable).toBe(false);
      expect(outcome.body.attempts).toBe(2);
      expect(attemptCount(outcome.history)).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/teapot')).toBe(2);
    });
  });

  describe('Retry-After', () => {
    const retry = { initialDelaySeconds: 1, maxDelaySeconds: 2 };

    it.each([429, 503])('waits seconds form on %i', async (status) => {
      server = await startFaultServer({ '/limited': [retryAfterSeconds(status, 7), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/limited'), retry });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([7]);
      expect(server.requestCount('/limited')).toBe(2);
    });

    it.each([429, 503])('waits date form on %i', async (status) => {
      server = await startFaultServer({ '/limited': [retryAfterDateIn(status, 7), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/limited'), retry });

      const delays = retryDelays(outcome.history);
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(2);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(7);
      expect(delays[0]).toBeLessThanOrEqual(8);
    });

    it('keeps longer backoff', async () => {
      server = await startFaultServer({ '/limited': [retryAfterSeconds(503, 1), retryAfterSeconds(503, 1), json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/limited'), retry: { initialDelaySeconds: 3, maxDelaySeconds: 3, backoffRate: 1 } });

      const delays = retryDelays(outcome.history);
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(3);
      expect(delays).toHaveLength(2);
      expect(delays.filter((delay) => delay < 1 || delay > 3)).toEqual([]);
    });

    it.each([
      ['seconds', 429, retryAfterSeconds(429, 600)],
      ['date', 503, retryAfterDateIn(503, 600)],
    ])('over limit fails at once (%s)', async (_form, status, route) => {
      server = await startFaultServer({ '/limited': [route, json(200, { ok: true })] });

      const outcome = await runExecution(handler, { url: server.url('/limited'), retry: { maxRetryAfterSeconds: 60 } });

      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.status).toBe(status);
      expect(details.name).toBe('RetryAfterTooLongError');
      expect(details.retryable).toBe(false);
      expect(details.maxRetryAfterSeconds).toBe(60);
      expect(details.retryAfterSeconds).toBeGreaterThanOrEqual(600);
      expect(details.message).toContain(`Retry-After ${details.retryAfterSeconds} s`);
      expect(details.message).toContain('retry.maxRetryAfterSeconds (60 s)');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/limited')).toBe(1);
    });

    it('skips limit for non-retried status', async () => {
      server = await startFaultServer({ '/limited': retryAfterSeconds(503, 600) });

      const outcome = await runExecution(handler, { url: server.url('/limited'), retry: { retryOnStatus: [429], maxRetryAfterSeconds: 60 } });

      expect(outcome.body.details.name).toBe('HttpStatusError');
      expect(outcome.body.details.retryAfterSeconds).toBe(600);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('full jitter', () => {
    it('keeps delays within backoff bounds', async () => {
      server = await startFaultServer({ '/busy': reply(503) });
      const runs = [];

      for (let run = 0; run < 3; run += 1) {
        const outcome = await runExecution(handler, { url: server.url('/busy'), retry: { maxAttempts: 4, initialDelaySeconds: 1, backoffRate: 2, maxDelaySeconds: 3 } });
        runs.push({ attempts: outcome.body.attempts, delays: retryDelays(outcome.history) });
      }

      // Backoff before jitter: 1 s, 2 s, then 4 s capped to maxDelaySeconds 3.
      const delays = runs.flatMap((run) => run.delays);
      expect(runs.map((run) => run.attempts)).toEqual([4, 4, 4]);
      expect(runs.map((run) => run.delays.length)).toEqual([3, 3, 3]);
      expect(delays.filter((delay) => !Number.isInteger(delay))).toEqual([]);
      expect(runs.map((run) => run.delays[0])).toEqual([1, 1, 1]);
      expect(runs.filter((run) => run.delays[1]! < 1 || run.delays[1]! > 2)).toEqual([]);
      expect(runs.filter((run) => run.delays[2]! < 1 || run.delays[2]! > 3)).toEqual([]);
    });
  });
});
