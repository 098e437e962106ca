/**
 * A self-contained demo: starts a small API on 127.0.0.1 that returns 503 twice and
 * then 200, and runs restCaller against it as a local durable execution, so the
 * retries and backoff are visible with no internet and no AWS account.
 *
 *   npm run demo
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { formatHistory } from '../src/local/history';
import { runDurableLocally, sendConsoleToStderr } from '../src/local/run-local';

const FAILURES_BEFORE_SUCCESS = 2;

function startFlakyApi(): Promise<http.Server> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    const failing = requests <= FAILURES_BEFORE_SUCCESS;
    process.stderr.write(`  demo API: request ${requests} ${request.method} ${request.url} -> ${failing ? 503 : 200}\n`);

    response.setHeader('content-type', 'application/json');
    if (failing) {
      response.writeHead(503).end(JSON.stringify({ error: 'temporarily unavailable' }));
      return;
    }
    response.writeHead(200).end(JSON.stringify({ id: 1, title: 'Hello from the local demo API', servedOnRequest: requests }));
  });

  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main(): Promise<void> {
  sendConsoleToStderr();

  const server = await startFlakyApi();
  const { port } = server.address() as AddressInfo;

  // The destination guard blocks loopback by default; the demo opens only its own address.
  process.env.ALLOW_PRIVATE_NETWORKS = '127.0.0.1/32';
  // Loaded after the variable is set, because the handler reads its settings when the module loads.
  const { handler } = require('../src/handlers/restCaller') as typeof import('../src/handlers/restCaller');

  const event = {
    url: `http://127.0.0.1:${port}/posts/1`,
    retry: { maxAttempts: 4, initialDelaySeconds: 1, maxDelaySeconds: 2 },
  };
  process.stderr.write(`Calling ${event.url}; it fails ${FAILURES_BEFORE_SUCCESS} times, then returns 200.\n`);

  try {
    const outcome = await runDurableLocally(handler, event);

    process.stderr.write(`\nHistory (${outcome.status}):\n`);
    for (const line of formatHistory(outcome.history)) {
      process.stderr.write(`  ${line}\n`);
    }
    process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
    process.exitCode = outcome.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    server.close();
  }
}

void main();
