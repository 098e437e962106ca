import { json, reply, startFaultServer, type FaultServer } from '../support/fault-server';
import { attemptCount, createTestHandler, loopbackSettings, runExecution, useSkipTimeEnvironment, waitDurations } from '../support/durable-harness';
import { parseCidrList } from '../../src/security/address-classifier';

useSkipTimeEnvironment();

function accepted(location: string, extraHeaders: Record<string, string> = {}) {
  return reply(202, { headers: { location, ...extraHeaders }, body: { state: 'accepted' } });
}

describe('202 polling', () => {
  let server: FaultServer;

  afterEach(async () => {
    await server?.close();
  });

  it('polls Location until done', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/jobs/1/status'),
      '/jobs/1/status': [reply(202), reply(202), json(200, { result: 42 })],
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), method: 'POST', body: { n: 1 }, poll: { intervalSeconds: 5 } });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.data).toEqual({ result: 42 });
    expect(outcome.body.polls).toBe(3);
    expect(Date.parse(outcome.body.lastCheckedAt)).toBeGreaterThan(Date.parse(outcome.body.calledAt));
    expect(waitDurations(outcome.history)).toEqual([5, 5, 5]);
    expect(server.requestCount('/jobs')).toBe(1);
    expect(server.requests.filter((request) => request.path === '/jobs/1/status').map((request) => request.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('waits for Retry-After when sent', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/ops/9', { 'retry-after': '12' }),
      '/ops/9': [reply(202, { headers: { 'retry-after': '30' } }), json(200, { ok: true })],
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: { intervalSeconds: 5 } });

    expect(outcome.response.statusCode).toBe(200);
    expect(waitDurations(outcome.history)).toEqual([12, 30]);
  });

  it('grows the interval by backoffRate', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/ops/1'),
      '/ops/1': [reply(202), reply(202), reply(202), json(200, { ok: true })],
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: { intervalSeconds: 2, backoffRate: 2, maxIntervalSeconds: 6 } });

    expect(waitDurations(outcome.history)).toEqual([2, 4, 6, 6]);
  });

  it('follows Operation-Location first', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/wrong', { 'operation-location': '/ops/2' }),
      '/ops/2': json(200, { via: 'operation-location' }),
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: {} });

    expect(outcome.body.data).toEqual({ via: 'operation-location' });
    expect(server.requestCount('/wrong')).toBe(0);
  });

  it('reads the URL from the body', async () => {
    server = await startFaultServer({
      '/jobs': json(202, { links: { self: '/ops/3' } }),
      '/ops/3': json(200, { via: 'body' }),
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), method: 'POST', poll: { urlFrom: '/links/self' } });

    expect(outcome.body.data).toEqual({ via: 'body' });
    expect(outcome.body.polls).toBe(1);
  });

  it('polls a status field', async () => {
    server = await startFaultServer({
      '/report': [json(200, { status: 'queued' }), json(200, { status: 'running' }), json(200, { status: 'succeeded', rows: 3 })],
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/report'), poll: { intervalSeconds: 10, until: { path: '/status', in: ['succeeded', 'failed'] } } });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.data).toEqual({ status: 'succeeded', rows: 3 });
    expect(outcome.body.polls).toBe(2);
    expect(waitDurations(outcome.history)).toEqual([10, 10]);
  });

  it('returns 504 when polling times out', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/ops/forever'),
      '/ops/forever': json(202, { state: 'running' }),
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: { intervalSeconds: 20, timeoutSeconds: 50 } });

    expect(outcome.response.statusCode).toBe(504);
    expect(outcome.body.error).toBe('Polling timed out');
    expect(outcome.body.polls).toBe(3);
    expect(outcome.body.lastStatus).toBe(202);
    expect(outcome.body.lastData).toEqual({ state: 'running' });
    expect(outcome.body.message).toContain('3 polls');
    expect(waitDurations(outcome.history)).toEqual([20, 20, 10]);
  });

  it('reports the last state field', async () => {
    server = await startFaultServer({ '/report': json(200, { status: 'running' }) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/report'), poll: { intervalSeconds: 30, timeoutSeconds: 60, until: { path: '/status', in: ['done'] } } });

    expect(outcome.response.statusCode).toBe(504);
    expect(outcome.body.lastState).toBe('running');
  });

  it('retries a transient poll failure', async () => {
    server = await startFaultServer({
      '/jobs': accepted('/ops/flaky'),
      '/ops/flaky': [reply(202), reply(503), reply(503), json(200, { ok: true })],
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: { intervalSeconds: 5 }, retry: { maxAttempts: 3, initialDelaySeconds: 1 } });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.polls).toBe(2);
    expect(attemptCount(outcome.history, 'poll-1')).toBe(1);
    expect(attemptCount(outcome.history, 'poll-2')).toBe(3);
  });

  it('returns 502 without an operation URL', async () => {
    server = await startFaultServer({ '/jobs': reply(202) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), method: 'POST', poll: {} });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('PollTargetMissing');
    expect(outcome.body.details.message).toContain('poll.urlFrom');
  });

  it('checks each poll URL with the guard', async () => {
    server = await startFaultServer({ '/jobs': accepted('http://127.0.0.1:9/ops/1') }, { host: '127.0.0.2' });
    const settings = loopbackSettings({ guard: { allowPrivateNetworks: parseCidrList('127.0.0.2/32', 'ALLOW_PRIVATE_NETWORKS'), allowedSchemes: ['http'] } });
    const handler = createTestHandler({ settings });

    const outcome = await runExecution(handler, { url: server.url('/jobs'), poll: { intervalSeconds: 1 } });

    expect(outcome.response.statusCode).toBe(403);
    expect(outcome.body.details.host).toBe('127.0.0.1');
    expect(outcome.body.details.rule).toBe('loopback');
  });

  it('drops credentials when polling leaves the origin', async () => {
    const other = await startFaultServer({ '/ops/elsewhere': json(200, { done: true }) }, { host: '127.0.0.2' });
    server = await startFaultServer({
      '/jobs': accepted('/ops/1'),
      '/ops/1': accepted(other.url('/ops/elsewhere')),
    });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/jobs'), headers: { authorization: 'Bearer inline-2', 'x-trace': 't-2' }, poll: { intervalSeconds: 1 } });
    await other.close();

    const sameOrigin = server.requests.find((request) => request.path === '/ops/1')?.headers;
    const crossOrigin = other.requests[0]?.headers;
    expect(outcome.body.polls).toBe(2);
    expect(sameOrigin?.authorization).toBe('Bearer inline-2');
    expect(crossOrigin?.authorization).toBeUndefined();
    expect(crossOrigin?.['x-trace']).toBe('t-2');
  });

  it('leaves a non-pending answer alone', async () => {
    server = await startFaultServer({ '/now': json(200, { ready: true }) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/now'), poll: {} });

    expect(outcome.body.polls).toBe(0);
    expect(waitDurations(outcome.history)).toEqual([]);
  });
});

describe('delayed call', () => {
  let server: FaultServer;

  afterEach(async () => {
    await server?.close();
  });

  it('waits delaySeconds before calling', async () => {
    server = await startFaultServer({ '/later': json(200, { ok: true }) });
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/later'), delaySeconds: 600 });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.history[0]).toEqual({ kind: 'wait', name: 'delay', seconds: 600 });
    expect(typeof outcome.body.calledAt).toBe('string');
    expect(Date.parse(outcome.body.calledAt)).toBeGreaterThan(0);
  });

  it('rejects a delay that cannot fit', async () => {
    server = await startFaultServer({ '/later': json(200, { ok: true }) });
    const handler = createTestHandler({ settings: loopbackSettings({ executionTimeoutSeconds: 900 }) });

    const outcome = await runExecution(handler, { url: server.url('/later'), delaySeconds: 600, poll: { timeoutSeconds: 600 } });

    expect(outcome.response.statusCode).toBe(400);
    expect(outcome.body.problems[0].message).toContain('900 s');
    expect(outcome.history).toEqual([]);
    expect(server.requestCount()).toBe(0);
  });
});
