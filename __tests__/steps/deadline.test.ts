import { attemptTimeoutMs, INVOCATION_RESERVE_MS } from '../../src/steps/http/deadline';
import { callApi } from '../../src/steps/http/call-api';
import { parseEvent } from '../../src/schemas/parse-event';
import { RequestTimeoutError } from '../../src/errors';
import { loopbackSettings, NO_SECRETS } from '../support/durable-harness';
import { slowHeaders, startFaultServer, type FaultServer } from '../support/fault-server';

describe('attemptTimeoutMs', () => {
  it.each([
    ['no invocation limit', 10, undefined, 10_000],
    ['plenty of time left', 10, 900_000, 10_000],
    ['little time left', 10, 5_000, 5_000 - INVOCATION_RESERVE_MS],
    ['almost no time left', 10, 1_000, 1],
    ['fractional seconds', 0.25, undefined, 250],
  ])('%s', (_case, timeoutSeconds, remainingMs, expected) => {
    const timeoutMs = attemptTimeoutMs(timeoutSeconds, remainingMs);

    expect(timeoutMs).toBe(expected);
  });
});

describe('callApi invocation deadline', () => {
  let server: FaultServer;

  afterEach(async () => {
    await server?.close();
  });

  it('stops before the invocation ends', async () => {
    server = await startFaultServer({ '/slow': slowHeaders(3_000) });
    const parsed = parseEvent({ url: server.url('/slow'), timeoutSeconds: 60 });
    if (!parsed.ok) {
      throw new Error('test event is invalid');
    }
    const settings = loopbackSettings();
    const dependencies = { guard: settings.guard, redactedHeaders: settings.redactedHeaders, secrets: NO_SECRETS };
    const remainingTimeMs = () => INVOCATION_RESERVE_MS + 300;

    const failure = await callApi({ request: parsed.request, remainingTimeMs }, dependencies, 1).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RequestTimeoutError);
    expect((failure as RequestTimeoutError).details.timeoutMs).toBe(300);
    expect((failure as RequestTimeoutError).retryable).toBe(true);
  });
});
