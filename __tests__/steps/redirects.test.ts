import { echoRequest, json, redirect, redirectLoop, startFaultServer, type FaultServer } from '../support/fault-server';
import { createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

const RETRY = { maxAttempts: 3, initialDelaySeconds: 1 };

describe('HTTP step redirects', () => {
  let server: FaultServer;
  let otherServer: FaultServer | undefined;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
    await otherServer?.close();
    otherServer = undefined;
  });

  it('follows chain and records hops', async () => {
    server = await startFaultServer({
      '/a': redirect(301, '/b'),
      '/b': redirect(302, '/c?page=2'),
      '/c': redirect(307, '/d'),
      '/d': json(200, { arrived: true }),
    });

    const outcome = await runExecution(handler, { url: server.url('/a'), retry: RETRY });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.data).toEqual({ arrived: true });
    expect(outcome.body.url).toBe(server.url('/a'));
    expect(outcome.body.finalUrl).toBe(server.url('/d'));
    expect(outcome.body.redirects).toEqual([
      { status: 301, location: server.url('/b') },
      { status: 302, location: server.url('/c?page=2') },
      { status: 307, location: server.url('/d') },
    ]);
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
  });

  it('turns POST into GET on 303', async () => {
    server = await startFaultServer({ '/orders': redirect(303, '/orders/7'), '/orders/7': echoRequest() });

    const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: { item: 'book' }, retry: RETRY });

    const [post, get] = server.requests;
    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.redirects).toEqual([{ status: 303, location: server.url('/orders/7') }]);
    expect(post?.method).toBe('POST');
    expect(post?.body).toBe('{"item":"book"}');
    expect(get?.method).toBe('GET');
    expect(get?.body).toBe('');
    expect(get?.headers['content-type']).toBeUndefined();
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
  });

  it('repeats POST body on 307', async () => {
    server = await startFaultServer({ '/orders': redirect(307, '/v2/orders'), '/v2/orders': echoRequest(201) });

    const outcome = await runExecution(handler, { url: server.url('/orders'), method: 'POST', body: { item: 'book' }, retry: RETRY });

    expect(outcome.body.status).toBe(201);
    expect(outcome.body.data.method).toBe('POST');
    expect(outcome.body.data.body).toBe('{"item":"book"}');
    expect(outcome.body.data.headers['content-type']).toBe('application/json');
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
  });

  it('drops credentials across origins', async () => {
    otherServer = await startFaultServer({ '/landing': echoRequest() }, { host: '127.0.0.2' });
    server = await startFaultServer({ '/start': redirect(302, otherServer.url('/landing')) });

    const outcome = await runExecution(handler, { url: server.url('/start'), headers: { 'X-Api-Key': 'k-123', 'X-Trace': 't-1' }, retry: RETRY });

    const [first] = server.requests;
    expect(outcome.response.statusCode).toBe(200);
    expect(first?.headers['x-api-key']).toBe('k-123');
    expect(outcome.body.data.headers['x-api-key']).toBeUndefined();
    expect(outcome.body.data.headers['x-trace']).toBe('t-1');
    expect(outcome.body.finalUrl).toBe(otherServer.url('/landing'));
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
  });

  it('rejects loop without retry', async () => {
    server = await startFaultServer(redirectLoop('/a', '/b'));

    const outcome = await runExecution(handler, { url: server.url('/a'), retry: RETRY });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('RedirectError');
    expect(outcome.body.details.message).toContain('Redirect loop');
    expect(outcome.body.details.retryable).toBe(false);
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
    expect(server.requestCount()).toBe(2);
  });

  it('rejects more than maxRedirects', async () => {
    server = await startFaultServer({
      '/1': redirect(302, '/2'),
      '/2': redirect(302, '/3'),
      '/3': redirect(302, '/4'),
      '/4': json(200, { arrived: true }),
    });

    const outcome = await runExecution(handler, { url: server.url('/1'), maxRedirects: 2, retry: RETRY });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('RedirectError');
    expect(outcome.body.details.maxRedirects).toBe(2);
    expect(outcome.body.details.message).toContain('Too many redirects');
    expect(outcome.body.details.retryable).toBe(false);
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
    expect(server.requestCount()).toBe(3);
    expect(server.requestCount('/4')).toBe(0);
  });

  it('follows exactly maxRedirects hops', async () => {
    server = await startFaultServer({ '/1': redirect(302, '/2'), '/2': redirect(302, '/3'), '/3': json(200, { arrived: true }) });

    const outcome = await runExecution(handler, { url: server.url('/1'), maxRedirects: 2, retry: RETRY });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.redirects).toHaveLength(2);
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
  });

  it('returns 3xx when maxRedirects is 0', async () => {
    server = await startFaultServer({ '/old': redirect(301, '/new'), '/new': json(200, { arrived: true }) });

    const outcome = await runExecution(handler, { url: server.url('/old'), maxRedirects: 0, retry: RETRY });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.status).toBe(301);
    expect(outcome.body.headers.location).toBe('/new');
    expect(outcome.body.data).toBeNull();
    expect(outcome.body.redirects).toEqual([]);
    expect(outcome.body.attempts).toBe(1);
    expect(retryDelays(outcome.history)).toEqual([]);
    expect(server.requestCount('/new')).toBe(0);
  });
});
