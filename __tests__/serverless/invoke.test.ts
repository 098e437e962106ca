/**
 * Runs the real `sls invoke` against a fake Lambda API on 127.0.0.1 and checks the
 * request that the CLI sent. The durable-invoke plugin must default the qualifier of a
 * durable function to its `durable` alias, where osls alone rejects the command.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { readInvokeCall, startFakeLambdaApi, type FakeLambdaApi, type InvokeCall } from '../support/fake-lambda-api';
import { describeResult, isolatedEnvironment, runSls, SERVICE_DIR, SLS_TIMEOUT_MS, type SlsResult } from '../support/sls';

const EVENT_FILE = 'events/custom.json';
const RESPONSE_PAYLOAD = { statusCode: 200, body: '{"message":"from the fake Lambda API"}' };

interface InvokeRun {
  result: SlsResult;
  api: FakeLambdaApi;
}

/** Starts a fake Lambda API, runs `sls invoke ARGS` against it, and stops the API. */
async function invokeThroughFakeApi(extraArgs: string[]): Promise<InvokeRun> {
  const api = await startFakeLambdaApi(RESPONSE_PAYLOAD);

  try {
    // Both variables point the AWS SDK at the fake API: the service-specific one for
    // Lambda, the general one for any other client the CLI might create.
    const env = isolatedEnvironment({ AWS_ENDPOINT_URL: api.url, AWS_ENDPOINT_URL_LAMBDA: api.url });
    const result = await runSls(['invoke', '-f', 'restCaller', '-p', EVENT_FILE, '--stage', 'dev', ...extraArgs], env);
    return { result, api };
  } finally {
    await api.close();
  }
}

/** Returns the one Invoke call of a run, and throws with the CLI output when the run made none or several requests. */
function onlyInvokeCall(run: InvokeRun): InvokeCall {
  const call = run.api.requests.length === 1 && run.api.requests[0] ? readInvokeCall(run.api.requests[0]) : undefined;
  if (!call) {
    throw new Error(`expected exactly one Invoke request, got ${JSON.stringify(run.api.requests)}; ${describeResult(run.result)}`);
  }
  return call;
}

describe('sls invoke', () => {
  describe('without --qualifier', () => {
    let run: InvokeRun;

    beforeAll(async () => {
      run = await invokeThroughFakeApi([]);
    }, SLS_TIMEOUT_MS);

    it('exits with code 0', () => {
      expect(run.result.exitCode).toBe(0);
    });

    it('sends only one Invoke request', () => {
      const unexpected = run.api.requests.filter((request) => readInvokeCall(request) === undefined);

      expect(unexpected).toEqual([]);
      expect(run.api.requests).toHaveLength(1);
    });

    it('invokes the stage function', () => {
      expect(onlyInvokeCall(run).functionName).toBe('durable-rest-caller-dev-restCaller');
    });

    it('defaults to the durable alias', () => {
      expect(onlyInvokeCall(run).qualifier).toBe('durable');
    });

    it('invokes synchronously', () => {
      expect(onlyInvokeCall(run).invocationType).toBe('RequestResponse');
    });

    it('sends the event file', () => {
      const event: unknown = JSON.parse(readFileSync(path.join(SERVICE_DIR, EVENT_FILE), 'utf8'));

      expect(onlyInvokeCall(run).payload).toEqual(event);
    });

    it('notes the alias on stderr', () => {
      expect(run.result.stderr).toContain('Invoking the "durable" alias of restCaller');
    });

    it('prints the response payload', () => {
      expect(JSON.parse(run.result.stdout)).toEqual(RESPONSE_PAYLOAD);
    });
  });

  describe('with --qualifier 7', () => {
    let run: InvokeRun;

    beforeAll(async () => {
      run = await invokeThroughFakeApi(['--qualifier', '7']);
    }, SLS_TIMEOUT_MS);

    it('exits with code 0', () => {
      expect(run.result.exitCode).toBe(0);
    });

    it('sends only one Invoke request', () => {
      const unexpected = run.api.requests.filter((request) => readInvokeCall(request) === undefined);

      expect(unexpected).toEqual([]);
      expect(run.api.requests).toHaveLength(1);
    });

    it('keeps the explicit qualifier', () => {
      expect(onlyInvokeCall(run).qualifier).toBe('7');
    });

    it('prints no alias notice', () => {
      expect(run.result.stderr).not.toContain('alias of restCaller');
    });
  });
});
