import type http from 'node:http';
import type https from 'node:https';
import type { LookupFunction as NetLookupFunction } from 'node:net';

import type { Deadline } from './deadline';

/** One HTTP exchange to an address the destination guard has already checked. */
export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;

  /** The checked address; the socket connects to it without a second DNS lookup. */
  address: string;
  family: 4 | 6;
}

/** The status line and headers of a response whose body has not been read yet. */
export interface OpenResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  stream: http.IncomingMessage;
}

/** Facts about the connection that decide whether a failed request may be retried. */
export interface ExchangeProgress {
  /** True once the socket connected, so bytes of the request may have reached the server. */
  requestSent: boolean;
}

/**
 * Sends a request and resolves once the status line and headers have arrived.
 * Socket errors before then reject with the Node.js error, whose `code` names the
 * failure. An expired deadline destroys the request, here and while the body streams.
 */
export function openExchange(request: ExchangeRequest, deadline: Deadline, progress: ExchangeProgress): Promise<OpenResponse> {
  const isTls = request.url.protocol === 'https:';
  const pinnedLookup = createPinnedLookup(request.address, request.family);

  const options: https.RequestOptions = {
    protocol: request.url.protocol,
    hostname: stripBrackets(request.url.hostname),
    port: request.url.port || (isTls ? 443 : 80),
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method,
    headers: request.headers,
    lookup: pinnedLookup,
    agent: false,
  };

  return new Promise((resolve, reject) => {
    const clientRequest = (isTls ? loadHttps() : loadHttp()).request(options, (response) => {
      resolve({ status: response.statusCode ?? 0, headers: response.headers, stream: response });
    });

    clientRequest.once('socket', (socket) => {
      socket.once(isTls ? 'secureConnect' : 'connect', () => {
        progress.requestSent = true;
      });
    });
    clientRequest.once('error', reject);
    deadline.onExpire((error) => clientRequest.destroy(error));

    clientRequest.end(request.body);
  });
}

/** A `lookup` for `http.request` that always returns the address checked by the guard. */
function createPinnedLookup(address: string, family: 4 | 6): NetLookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) {
      callback(null, [{ address, family }]);
      return;
    }
    callback(null, address, family);
  }) as NetLookupFunction;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/*
 * The HTTP modules load on the first request instead of at cold start, so an invalid
 * event or a blocked destination never pays for them. Loading `node:http` with
 * `node:net` took about 4 ms, and `node:https` with `node:tls` about 6 ms more, with
 * Node.js 24 on the benchmark machine of docs/benchmarks.md.
 */
function loadHttp(): typeof http {
  return require('node:http') as typeof http;
}

function loadHttps(): typeof https {
  return require('node:https') as typeof https;
}
