import { ConnectionError, HttpStatusError, RequestTimeoutError } from '../../src/errors';
import { deriveIdempotencyKey, guardNonIdempotentRetry } from '../../src/steps/http/idempotency';
import { echoRequest, json, processThenDrop, reply, slowHeaders, startFaultServer, type FaultServer } from '../support/fault-server';
import { attemptCount, createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RETRY = { maxAttempts: 3, initialDelaySeconds: 1 };

describe('HTTP step idempotency', () => {
  let server: FaultServer;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
  });

  describe('without key', () => {
    it.each(['POST', 'PATCH'])('does not resend dropped %s', async (method) => {
      server = await startFaultServer({ '/orders': [processThenDrop(), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method, body: { item: 'book' }, retry: RETRY });

      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(details.name).toBe('ConnectionError');
      expect(details.requestSent).toBe(true);
      expect(details.retryable).toBe(false);
      expect(details.notRetriedBecause).toBe(`${method} may have reached the server; set idempotencyKey or retry.unsafe to allow retries`);
      expect(outcome.body.attempts).toBe(1);
      expect(attemptCount(outcome.history)).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/orders')).toBe(1);
    });

    it('resends dropped PUT', async () => {
      server = await startFaultServer({ '/orders/1': [processThenDrop(), json(200, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders/1'), method: 'PUT', body: { item: 'book' }, retry: RETRY });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/orders/1')).toBe(2);
    });

    it('does not resend timed-out POST', async () => {
      server = await startFaultServer({ '/orders': [slowHeaders(2_000), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, timeoutSeconds: 0.3, retry: RETRY });

      expect(outcome.body.details.name).toBe('RequestTimeoutError');
      expect(outcome.body.details.notRetriedBecause).toContain('POST may have reached the server');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/orders')).toBe(1);
    });

    it('does not resend POST after 500', async () => {
      server = await startFaultServer({ '/orders': [reply(500), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, retry: RETRY });

      expect(outcome.body.status).toBe(500);
      expect(outcome.body.details.notRetriedBecause).toContain('POST may have reached the server');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it.each([429, 503])('resends POST after %i', async (status) => {
      server = await startFaultServer({ '/orders': [reply(status), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, retry: RETRY });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.status).toBe(201);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/orders')).toBe(2);
    });

    it('resends POST to closed port', async () => {
      server = await startFaultServer({});
      const closedUrl = server.url('/orders');
      await server.close();

      const outcome = await runExecution(handler, { url: closedUrl, method: 'POST', body: { item: 'book' }, retry: RETRY });

      // Under the runner's fake timers Node.js may report the refusal as ECONNRESET, so the code is not checked.
      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(details.name).toBe('ConnectionError');
      expect(details.requestSent).toBe(false);
      expect(details).not.toHaveProperty('notRetriedBecause');
      expect(outcome.body.attempts).toBe(3);
      expect(attemptCount(outcome.history)).toBe(3);
      expect(retryDelays(outcome.history)).toHaveLength(2);
    });
  });

  describe('retry.unsafe', () => {
    it('resends dropped POST', async () => {
      server = await startFaultServer({ '/orders': [processThenDrop(), processThenDrop(), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, retry: { ...RETRY, unsafe: true } });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.status).toBe(201);
      expect(outcome.body.attempts).toBe(3);
      expect(retryDelays(outcome.history)).toHaveLength(2);
      expect(server.requestCount('/orders')).toBe(3);
      expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([undefined, undefined, undefined]);
    });
  });

  describe('idempotencyKey', () => {
    it('auto sends same key every attempt', async () => {
      server = await startFaultServer({ '/orders': [processThenDrop(), processThenDrop(), echoRequest(201)] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, idempotencyKey: 'auto', retry: RETRY });

      const keys = server.requests.map((request) => request.headers['idempotency-key']);
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(3);
      expect(retryDelays(outcome.history)).toHaveLength(2);
      expect(keys).toHaveLength(3);
      expect(keys[0]).toMatch(UUID_SHAPE);
      expect(new Set(keys).size).toBe(1);
    });

    it('auto differs between executions', async () => {
      server = await startFaultServer({ '/orders': echoRequest(201) });
      const payload = { url: server.url('/orders'), method: 'POST', body: {}, idempotencyKey: 'auto' };

      await runExecution(handler, payload);
      await runExecution(handler, payload);

      const [first, second] = server.requests.map((request) => request.headers['idempotency-key']);
      expect(first).toMatch(UUID_SHAPE);
      expect(second).toMatch(UUID_SHAPE);
      expect(first).not.toBe(second);
    });

    it('sends given key as is', async () => {
      server = await startFaultServer({ '/orders': [processThenDrop(), json(201, { id: 1 })] });

      const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: {}, idempotencyKey: 'order-42', retry: RETRY });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual(['order-42', 'order-42']);
    });
  });
});

describe('deriveIdempotencyKey', () => {
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:restCaller:$LATEST/durable-execution/run-1/abc';

  it('is stable and UUID-shaped', () => {
    const first = deriveIdempotencyKey(arn, 'http-request');
    const second = deriveIdempotencyKey(arn, 'http-request');

    expect(first).toMatch(UUID_SHAPE);
    expect(second).toBe(first);
  });

  it('differs per operation', () => {
    const call = deriveIdempotencyKey(arn, 'http-request');
    const poll = deriveIdempotencyKey(arn, 'poll-1');

    expect(poll).not.toBe(call);
  });
});

describe('guardNonIdempotentRetry', () => {
  const sentReset = () => new ConnectionError('reset', { code: 'ECONNRESET', requestSent: true });

  it.each([
    ['GET after reset', true, 'GET', sentReset(), false, false],
    ['POST after reset', false, 'POST', sentReset(), false, false],
    ['POST with key', true, 'POST', sentReset(), true, false],
    ['POST with unsafe', true, 'POST', sentReset(), false, true],
    ['POST before sending', true, 'POST', new ConnectionError('refused', { code: 'ECONNREFUSED', requestSent: false }), false, false],
    ['POST timed out unsent', true, 'POST', new RequestTimeoutError('timeout', { requestSent: false }), false, false],
    ['PATCH after 503', true, 'PATCH', new HttpStatusError('503', true, { status: 503 }), false, false],
    ['PATCH after 502', false, 'PATCH', new HttpStatusError('502', true, { status: 502 }), false, false],
  ])('%s keeps retryable: %s', (_case, expected, method, error, hasKey, unsafe) => {
    const guarded = guardNonIdempotentRetry(error, method, hasKey, unsafe);

    expect(guarded.retryable).toBe(expected);
  });
});
