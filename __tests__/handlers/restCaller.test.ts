import { json, reply, slowHeaders, startFaultServer, type FaultServer } from '../support/fault-server';
import { attemptCount, createTestHandler, loopbackSettings, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

describe('restCaller handler', () => {
  let server: FaultServer;

  afterEach(async () => {
    await server?.close();
  });

  it('retries 503 twice then succeeds', async () => {
    server = await startFaultServer({ '/items': [reply(503), reply(503), json(200, { id: 7 })] });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/items'), retry: { initialDelaySeconds: 1, maxDelaySeconds: 4 } });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.response.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(outcome.body.message).toBe('API call successful');
    expect(outcome.body.data).toEqual({ id: 7 });
    expect(outcome.body.status).toBe(200);
    expect(outcome.body.attempts).toBe(3);
    expect(attemptCount(outcome.history)).toBe(3);
    expect(retryDelays(outcome.history)).toHaveLength(2);
    expect(server.requestCount('/items')).toBe(3);
  });

  it('does not retry a 404', async () => {
    server = await startFaultServer({ '/missing': json(404, { error: 'no such item' }) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/missing') });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.error).toBe('API call failed after retries');
    expect(outcome.body.status).toBe(404);
    expect(outcome.body.attempts).toBe(1);
    expect(outcome.body.details.name).toBe('HttpStatusError');
    expect(outcome.body.details.responseBody).toContain('no such item');
    expect(server.requestCount('/missing')).toBe(1);
  });

  it('retries connection refused then fails', async () => {
    server = await startFaultServer({});
    const closedUrl = server.url('/gone');
    await server.close();
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: closedUrl, retry: { maxAttempts: 3, initialDelaySeconds: 1 } });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('ConnectionError');
    expect(outcome.body.details.requestSent).toBe(false);
    expect(outcome.body.attempts).toBe(3);
    expect(attemptCount(outcome.history)).toBe(3);
    expect(outcome.body).not.toHaveProperty('status');
  });

  it('times out a slow server', async () => {
    server = await startFaultServer({ '/slow': slowHeaders(3_000) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/slow'), timeoutSeconds: 0.3, retry: { maxAttempts: 2, initialDelaySeconds: 1 } });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('RequestTimeoutError');
    expect(outcome.body.details.timeoutMs).toBe(300);
    expect(outcome.body.attempts).toBe(2);
  });

  it('returns 400 for an invalid event', async () => {
    server = await startFaultServer({ '/items': json(200, {}) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/items'), method: 'TRACE', retries: 3 });

    expect(outcome.response.statusCode).toBe(400);
    expect(outcome.body.problems.map((problem: { path: string }) => problem.path).sort()).toEqual(['(root)', 'method']);
    expect(outcome.history).toEqual([]);
    expect(server.requestCount()).toBe(0);
  });

  it('calls the API_URL default', async () => {
    server = await startFaultServer({ '/default': json(200, { from: 'default' }) });
    const handler = createTestHandler({ settings: loopbackSettings({ defaultUrl: server.url('/default') }) });

    const outcome = await runExecution(handler, {});

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.data).toEqual({ from: 'default' });
  });

  it('sends method, headers, query and body', async () => {
    server = await startFaultServer({ '/orders': json(201, { created: true }) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, {
      url: server.url('/orders'),
      method: 'put',
      headers: { 'X-Trace': 'abc' },
      query: { page: 2, draft: true },
      body: { item: 'book' },
    });

    const [request] = server.requests;
    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.status).toBe(201);
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe('/orders?page=2&draft=true');
    expect(request?.headers['x-trace']).toBe('abc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ item: 'book' });
  });
});
