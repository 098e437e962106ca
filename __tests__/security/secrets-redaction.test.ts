import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';

import { json, redirect, reply, startFaultServer, type FaultServer } from '../support/fault-server';
import { createTestHandler, loopbackSettings, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';
import { redactedHeaderNames } from '../../src/security/redaction';
import { createAwsSecretResolver, type SendClient } from '../../src/security/secrets';

useSkipTimeEnvironment();

const BEARER_TOKEN = 'tok-7f3a9c-bearer-value';
const API_KEY = 'key-5521-from-json-field';
const PARAMETER_VALUE = 'ssm-0b77-parameter-value';

/**
 * Stand-ins for the AWS clients: no Secrets Manager or Parameter Store runs on this
 * machine, so these reply to the two commands the resolver sends and count the calls.
 */
function fakeAwsClients() {
  const calls: string[] = [];

  const secretsManager: SendClient = {
    send: async (command) => {
      const { SecretId } = (command as GetSecretValueCommand).input;
      calls.push(`secretsmanager:${SecretId}`);
      if (SecretId === 'prod/bearer') {
        return { SecretString: BEARER_TOKEN };
      }
      if (SecretId === 'prod/api') {
        return { SecretString: JSON.stringify({ key: API_KEY, other: 'unused' }) };
      }
      throw Object.assign(new Error(`Secrets Manager can't find the specified secret.`), { name: 'ResourceNotFoundException' });
    },
  };

  const ssm: SendClient = {
    send: async (command) => {
      const { Name, WithDecryption } = (command as GetParameterCommand).input;
      calls.push(`ssm:${Name}:${WithDecryption}`);
      return { Parameter: { Value: PARAMETER_VALUE } };
    },
  };

  return { calls, resolver: createAwsSecretResolver({ secretsManager, ssm }) };
}

function expectNowhere(value: string, places: Record<string, string>): void {
  for (const [place, text] of Object.entries(places)) {
    expect({ place, leaked: text.includes(value) }).toEqual({ place, leaked: false });
  }
}

describe('secret references', () => {
  let server: FaultServer;

  afterEach(async () => {
    await server?.close();
  });

  it('sends resolved secrets to the API', async () => {
    server = await startFaultServer({ '/me': json(200, { user: 'ada' }) });
    const { resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    await runExecution(handler, {
      url: server.url('/me'),
      auth: { bearerSecret: 'prod/bearer' },
      headers: { 'x-api-key': { secret: 'prod/api', field: 'key' }, 'x-tenant': { secret: 'ssm:/tenants/main' } },
    });

    const headers = server.requests[0]?.headers;
    expect(headers?.authorization).toBe(`Bearer ${BEARER_TOKEN}`);
    expect(headers?.['x-api-key']).toBe(API_KEY);
    expect(headers?.['x-tenant']).toBe(PARAMETER_VALUE);
  });

  it('keeps secrets out of history, logs and result', async () => {
    server = await startFaultServer({ '/me': [reply(503), json(401, { error: 'expired token' })] });
    const { resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    const outcome = await runExecution(handler, {
      url: server.url('/me'),
      auth: { bearerSecret: 'prod/bearer' },
      headers: { 'x-api-key': { secret: 'prod/api', field: 'key' }, 'x-tenant': { secret: 'ssm:/tenants/main' } },
      retry: { maxAttempts: 2, initialDelaySeconds: 1 },
    });

    const places = { history: JSON.stringify(outcome.rawEvents), logs: outcome.logs.join('\n'), response: JSON.stringify(outcome.response) };
    expect(outcome.response.statusCode).toBe(502);
    expect(server.requestCount('/me')).toBe(2);
    expectNowhere(BEARER_TOKEN, places);
    expectNowhere(API_KEY, places);
    expectNowhere(PARAMETER_VALUE, places);
  });

  it('caches a secret across attempts', async () => {
    server = await startFaultServer({ '/me': [reply(503), reply(503), json(200, {})] });
    const { calls, resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    await runExecution(handler, { url: server.url('/me'), auth: { bearerSecret: 'prod/bearer' }, retry: { initialDelaySeconds: 1 } });

    expect(calls).toEqual(['secretsmanager:prod/bearer']);
  });

  it('reads Parameter Store with decryption', async () => {
    server = await startFaultServer({ '/me': json(200, {}) });
    const { calls, resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    await runExecution(handler, { url: server.url('/me'), headers: { 'x-tenant': { secret: 'ssm:/tenants/main' } } });

    expect(calls).toEqual(['ssm:/tenants/main:true']);
  });

  it('fails clearly on a missing secret', async () => {
    server = await startFaultServer({ '/me': json(200, {}) });
    const { resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    const outcome = await runExecution(handler, { url: server.url('/me'), auth: { bearerSecret: 'prod/missing' } });

    expect(outcome.response.statusCode).toBe(502);
    expect(outcome.body.details.name).toBe('SecretResolutionError');
    expect(outcome.body.details.secretId).toBe('prod/missing');
    expect(outcome.body.details.message).toContain('ResourceNotFoundException');
    expect(outcome.body.attempts).toBe(1);
    expect(server.requestCount()).toBe(0);
  });

  it('fails clearly on a missing field', async () => {
    server = await startFaultServer({ '/me': json(200, {}) });
    const { resolver } = fakeAwsClients();
    const handler = createTestHandler({ dependencies: { secrets: resolver } });

    const outcome = await runExecution(handler, { url: server.url('/me'), headers: { 'x-api-key': { secret: 'prod/api', field: 'nope' } } });

    expect(outcome.body.details.name).toBe('SecretResolutionError');
    expect(outcome.body.details.message).toContain('"nope"');
    expectNowhere(API_KEY, { response: JSON.stringify(outcome.response) });
  });
});

describe('redaction', () => {
  const servers: FaultServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('redacts credential response headers', async () => {
    const server = await startFaultServer({
      '/login': reply(200, { headers: { 'set-cookie': 'session=abc123', 'x-api-key': 'k-1', 'x-session': 's-9', 'x-plain': 'visible' }, body: { ok: true } }),
    });
    servers.push(server);
    const handler = createTestHandler({ settings: loopbackSettings({ redactedHeaders: redactedHeaderNames('X-Session') }) });

    const outcome = await runExecution(handler, { url: server.url('/login') });

    expect(outcome.body.headers['set-cookie']).toBe('[REDACTED]');
    expect(outcome.body.headers['x-api-key']).toBe('[REDACTED]');
    expect(outcome.body.headers['x-session']).toBe('[REDACTED]');
    expect(outcome.body.headers['x-plain']).toBe('visible');
    expectNowhere('abc123', { history: JSON.stringify(outcome.rawEvents) });
  });

  it('masks credential query parameters', async () => {
    const server = await startFaultServer({ '/data': json(200, {}) });
    servers.push(server);
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: `${server.url('/data')}?api_key=qk-998&page=2`, query: { access_token: 'at-771' } });

    // The durable service stores the event itself as the execution input, which no code here can redact.
    const checkpoints = outcome.rawEvents.filter((event) => event.EventType !== 'ExecutionStarted');
    const places = { history: JSON.stringify(checkpoints), logs: outcome.logs.join('\n'), response: JSON.stringify(outcome.response) };
    expect(server.requests[0]?.path).toBe('/data?api_key=qk-998&page=2&access_token=at-771');
    expect(outcome.body.url).toContain('page=2');
    expectNowhere('qk-998', places);
    expectNowhere('at-771', places);
  });

  it('logs one line per attempt', async () => {
    const server = await startFaultServer({ '/data': [reply(503), json(200, {})] });
    servers.push(server);
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: `${server.url('/data')}?token=tk-1`, retry: { initialDelaySeconds: 1 } });

    const attempts = outcome.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'http.attempt');
    expect(attempts.map((entry) => [entry.attempt, entry.status, entry.outcome])).toEqual([
      [1, 503, 'failed'],
      [2, 200, 'succeeded'],
    ]);
    expect(attempts.every((entry) => entry.method === 'GET' && typeof entry.durationMs === 'number')).toBe(true);
    expect(attempts.every((entry) => entry.url.includes('token=%5BREDACTED%5D'))).toBe(true);
  });

  it('drops credentials on cross-origin redirect', async () => {
    const other = await startFaultServer({ '/landing': json(200, { ok: true }) }, { host: '127.0.0.2' });
    const origin = await startFaultServer({ '/start': redirect(302, other.url('/landing')), '/same': redirect(302, '/end'), '/end': json(200, {}) });
    servers.push(other, origin);
    const handler = createTestHandler();
    const headers = { authorization: 'Bearer inline-1', cookie: 'c=1', 'x-trace': 't-1' };

    await runExecution(handler, { url: origin.url('/start'), headers });
    await runExecution(handler, { url: origin.url('/same'), headers });

    const crossOrigin = other.requests[0]?.headers;
    const sameOrigin = origin.requests.find((request) => request.path === '/end')?.headers;
    expect(crossOrigin?.authorization).toBeUndefined();
    expect(crossOrigin?.cookie).toBeUndefined();
    expect(crossOrigin?.['x-trace']).toBe('t-1');
    expect(sameOrigin?.authorization).toBe('Bearer inline-1');
  });
});

describe('body logging', () => {
  let server: FaultServer;
  const originalLevel = process.env.AWS_LAMBDA_LOG_LEVEL;

  afterEach(async () => {
    await server?.close();
    if (originalLevel === undefined) {
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
    } else {
      process.env.AWS_LAMBDA_LOG_LEVEL = originalLevel;
    }
  });

  function bodyLines(logs: string[]): unknown[] {
    return logs.map((line) => JSON.parse(line) as { event?: string }).filter((entry) => entry.event === 'http.body');
  }

  it('omits bodies by default', async () => {
    server = await startFaultServer({ '/data': json(200, { marker: 'body-text-41' }) });
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/data') });

    expect(bodyLines(outcome.logs)).toEqual([]);
    expectNowhere('body-text-41', { logs: outcome.logs.join('\n') });
  });

  it('logs a body preview at DEBUG', async () => {
    server = await startFaultServer({ '/data': json(200, { marker: 'body-text-42' }) });
    process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
    const handler = createTestHandler();

    const outcome = await runExecution(handler, { url: server.url('/data') });

    expect(bodyLines(outcome.logs)).toHaveLength(1);
    expect(outcome.logs.join('\n')).toContain('body-text-42');
  });
});
