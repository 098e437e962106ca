/**
 * Stand-in for the AWS Lambda REST API on a loopback port, for running the real
 * `sls invoke` with `AWS_ENDPOINT_URL` pointed at it. It implements the Invoke operation
 * and records every request, so a test can check what the CLI sent and that it sent
 * nothing else.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake API received it. */
export interface LambdaApiRequest {
  method: string;

  /** Decoded path without the query string, such as `/2015-03-31/functions/NAME/invocations`. */
  path: string;

  /** Query parameters, such as `{ Qualifier: 'durable' }`. */
  query: Record<string, string>;

  /** Headers with lowercase names. */
  headers: IncomingHttpHeaders;

  /** Body decoded as UTF-8, empty when the request had none. */
  body: string;
}

/** A recognized Invoke call: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
export interface InvokeCall {
  functionName: string;

  /** Value of the `Qualifier` query parameter, undefined when the call had none. */
  qualifier: string | undefined;

  /** Value of the `X-Amz-Invocation-Type` header. Lambda treats a missing header as `RequestResponse`. */
  invocationType: string | undefined;

  /** Request body parsed as JSON. */
  payload: unknown;
}

export interface FakeLambdaApi {
  /** Base URL such as `http://127.0.0.1:40123`, for `AWS_ENDPOINT_URL`. */
  url: string;

  /** Every request received, in order, including unknown ones. */
  requests: LambdaApiRequest[];

  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Returns the Invoke call that a recorded request makes, or undefined for any other request. */
export function readInvokeCall(request: LambdaApiRequest): InvokeCall | undefined {
  const functionName = readInvokedFunctionName(request);
  if (functionName === undefined) {
    return undefined;
  }

  const invocationType = request.headers['x-amz-invocation-type'];
  return {
    functionName,
    qualifier: request.query.Qualifier,
    invocationType: typeof invocationType === 'string' ? invocationType : undefined,
    payload: request.body === '' ? undefined : JSON.parse(request.body),
  };
}

/**
 * Starts the fake API on 127.0.0.1 with a free port. Invoke returns status 200 with
 * `responsePayload` as JSON. Any other request gets status 400 with an
 * `UnknownOperationException`, which the AWS SDK does not retry, so a CLI that calls
 * something else fails fast instead of reaching AWS.
 */
export async function startFakeLambdaApi(responsePayload: unknown = { statusCode: 200 }): Promise<FakeLambdaApi> {
  const requests: LambdaApiRequest[] = [];

  const server = createServer((request, response) => {
    void readRequest(request).then((recorded) => {
      requests.push(recorded);
      respond(recorded, response, responsePayload);
    });
  });

  await listen(server);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => close(server),
  };
}

async function readRequest(request: IncomingMessage): Promise<LambdaApiRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }

  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  return {
    method: request.method ?? '',
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    headers: request.headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

function readInvokedFunctionName(request: LambdaApiRequest): string | undefined {
  const match = INVOKE_PATH.exec(request.path);
  return request.method === 'POST' ? match?.[1] : undefined;
}

function respond(request: LambdaApiRequest, response: ServerResponse, responsePayload: unknown): void {
  if (readInvokedFunctionName(request) !== undefined) {
    response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '1' });
    response.end(JSON.stringify(responsePayload));
    return;
  }

  const message = `The fake Lambda API implements only Invoke, not ${request.method} ${request.path}.`;
  response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
  response.end(JSON.stringify({ __type: 'UnknownOperationException', message }));
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
