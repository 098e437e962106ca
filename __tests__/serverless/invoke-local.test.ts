/**
 * Runs the real `sls invoke local` on restCaller. The durable-invoke plugin runs it as
 * a local durable execution through scripts/invoke-local.ts, which calls a small JSON
 * API that the test serves on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { describeResult, isolatedEnvironment, makeTempDir, runSls, SLS_TIMEOUT_MS, type SlsResult } from '../support/sls';

const API_DATA = { id: 7, title: 'from the local test API' };

interface ReceivedRequest {
  method: string | undefined;
  url: string | undefined;
}

interface LocalApi {
  url: string;
  requests: ReceivedRequest[];
  server: Server;
}

/** Starts an API on 127.0.0.1 that responds to every request with {@link API_DATA} as JSON. */
async function startLocalApi(): Promise<LocalApi> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method, url: request.url });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(API_DATA));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

/**
 * Parses the handler response from stdout: the pretty-printed JSON object that starts
 * at the last line consisting of `{`.
 * NOTE: the handler's log lines currently go to stdout too, before the response.
 */
function readResponse(result: SlsResult): { statusCode: number; body: string } {
  const lines = result.stdout.split('\n');
  const start = lines.lastIndexOf('{');
  if (start === -1) {
    throw new Error(`no JSON response on stdout; ${describeResult(result)}`);
  }
  return JSON.parse(lines.slice(start).join('\n')) as { statusCode: number; body: string };
}

describe('sls invoke local', () => {
  let api: LocalApi;
  let result: SlsResult;

  beforeAll(async () => {
    api = await startLocalApi();
    const eventFile = path.join(makeTempDir('event'), 'event.json');
    writeFileSync(eventFile, JSON.stringify({ url: `${api.url}/items/7`, method: 'GET' }));

    // serverless.yml sets ALLOW_PRIVATE_NETWORKS=false, and the caller's value must win.
    const env = isolatedEnvironment({ ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8' });
    result = await runSls(['invoke', 'local', '-f', 'restCaller', '-p', eventFile], env);
  }, SLS_TIMEOUT_MS);

  afterAll(async () => {
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  it('exits with code 0', () => {
    expect(result.exitCode).toBe(0);
  });

  it('calls the local API once', () => {
    expect(api.requests).toEqual([{ method: 'GET', url: '/items/7' }]);
  });

  it('responds with statusCode 200', () => {
    expect(readResponse(result).statusCode).toBe(200);
  });

  it('returns the API data', () => {
    const body = JSON.parse(readResponse(result).body) as { data: unknown };

    expect(body.data).toEqual(API_DATA);
  });

  it('prints the execution history', () => {
    expect(result.stderr).toContain('History of the local durable execution (SUCCEEDED)');
  });
});
