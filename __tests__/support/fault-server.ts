/**
 * Fault-injection HTTP server for tests. It listens on a loopback address and serves
 * each path from a scripted {@link Route}: plain responses, status sequences, slow or
 * trickled bodies, connection resets, truncated, huge, compressed or malformed bodies,
 * redirects, and requests that are processed but never get a response.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { isIPv4 } from 'node:net';
import type { Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/**
 * Timer functions captured when this module loads. `@sinonjs/fake-timers`, which the
 * durable test runner installs when `skipTime` is true, later replaces the globals and
 * the `node:timers` exports, and its `tick()` would then fire the server's delays early.
 * NOTE: a module first loaded after a fake clock is installed captures the fake functions.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;

  /** Request target with its query string, such as `/items?page=2`. */
  path: string;

  /** Headers with lowercase names, as Node.js parses them. */
  headers: IncomingHttpHeaders;

  /** Body decoded as UTF-8, empty when the request had none. */
  body: string;

  /** `Date.now()` in ms when the body had been read. Under a fake clock this is the fake time. */
  receivedAt: number;
}

/** Complete response with a `Content-Length` that matches the body. */
export interface ResponseRoute {
  kind: 'response';
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Another route served after a delay in ms, before any byte of the response. */
export interface DelayRoute {
  kind: 'delay';
  delayMs: number;
  then: Route;
}

/** Response whose headers go out at once and whose body follows one byte every `intervalMs`. */
export interface TrickleRoute {
  kind: 'trickle';
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  intervalMs: number;
}

/** Response that declares `declaredBytes`, sends `sent`, then resets or ends the connection. */
export interface PartialBodyRoute {
  kind: 'partialBody';
  status: number;
  headers: OutgoingHttpHeaders;
  declaredBytes: number;
  sent: Buffer;
  ending: 'reset' | 'end';
}

/** Large JSON string body generated chunk by chunk, with or without `Content-Length`. */
export interface StreamRoute {
  kind: 'stream';
  status: number;
  sizeBytes: number;
  chunked: boolean;
  chunkBytes: number;
}

/** TCP reset of the connection once the request has been read. */
export interface ResetRoute {
  kind: 'reset';
}

/** Request recorded as processed, then the connection closed without a response. */
export interface DropRoute {
  kind: 'drop';
  delayMs: number;
}

/** Route chosen by a test function from the recorded request. */
export interface ComputedRoute {
  kind: 'computed';
  compute: (request: RecordedRequest) => Route;
}

/** Scripted behavior of one path. Build it with the helper functions of this module. */
export type Route =
  | ResponseRoute
  | DelayRoute
  | TrickleRoute
  | PartialBodyRoute
  | StreamRoute
  | ResetRoute
  | DropRoute
  | ComputedRoute;

/** Routes by path without query string. An array is served in order, and its last route repeats. */
export type RouteTable = Record<string, Route | Route[]>;

/** Body of {@link reply}. A string is sent as UTF-8, and any other non-Buffer value as JSON. */
export type ResponseBody = string | Buffer | object;

/** Headers and body of {@link reply}. */
export interface ReplyOptions {
  /** Response headers. Default none besides `Content-Length`. */
  headers?: OutgoingHttpHeaders;

  /** Response body. Default empty. */
  body?: ResponseBody;
}

/** Options of {@link trickleBody}, {@link resetMidBody} and {@link binary}. */
export interface StatusOptions {
  /** Response status. Default 200. */
  status?: number;

  /** Extra response headers. Default none. */
  headers?: OutgoingHttpHeaders;
}

/** Options of {@link hugeBody}. */
export interface HugeBodyOptions {
  /** Send `Transfer-Encoding: chunked` without `Content-Length`. Default false. */
  chunked?: boolean;

  /** Bytes per write. Default 65536. */
  chunkBytes?: number;

  /** Response status. Default 200. */
  status?: number;
}

/** Content codings that {@link compressedJson} produces. */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

/** Eight-byte PNG signature followed by the start of an IHDR chunk. It is not valid UTF-8. */
export const SAMPLE_PNG: Buffer = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x80,
]);

/**
 * Builds a plain response. An object body is sent as JSON with
 * `Content-Type: application/json` unless `options.headers` sets a content type.
 */
export function reply(status: number, options: ReplyOptions = {}): ResponseRoute {
  const headers = lowercaseHeaders(options.headers ?? {});
  const body = options.body ?? '';

  if (typeof body === 'string') {
    return { kind: 'response', status, headers, body: Buffer.from(body, 'utf8') };
  }

  if (Buffer.isBuffer(body)) {
    return { kind: 'response', status, headers, body };
  }

  return json(status, body, headers);
}

/** Builds a JSON response with `Content-Type: application/json`, which `headers` may override. */
export function json(status: number, value: unknown, headers: OutgoingHttpHeaders = {}): ResponseRoute {
  return {
    kind: 'response',
    status,
    headers: { 'content-type': 'application/json', ...lowercaseHeaders(headers) },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  };
}

/** Builds an empty response with `Retry-After` in whole seconds. */
export function retryAfterSeconds(status: number, seconds: number): ResponseRoute {
  return reply(status, { headers: { 'retry-after': String(seconds) } });
}

/** Builds an empty response with `Retry-After` as an HTTP date, such as `Wed, 21 Oct 2015 07:28:00 GMT`. */
export function retryAfterDate(status: number, date: Date): ResponseRoute {
  return reply(status, { headers: { 'retry-after': date.toUTCString() } });
}

/** Waits `delayMs` before sending anything, then serves `then`. Default `then`: 200 `{"ok":true}`. */
export function slowHeaders(delayMs: number, then: Route = json(200, { ok: true })): DelayRoute {
  return { kind: 'delay', delayMs, then };
}

/**
 * Sends the status and headers at once, with a `Content-Length` for the whole body,
 * then one byte every `intervalMs`. The body takes `body.length * intervalMs` ms in total.
 */
export function trickleBody(body: string | Buffer, intervalMs: number, options: StatusOptions = {}): TrickleRoute {
  return {
    kind: 'trickle',
    status: options.status ?? 200,
    headers: lowercaseHeaders(options.headers ?? {}),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    intervalMs,
  };
}

/** Resets the TCP connection after reading the request, before any response byte. */
export function resetBeforeHeaders(): ResetRoute {
  return { kind: 'reset' };
}

/**
 * Sends headers that declare a JSON body of `declaredBytes` (default 100), the first
 * `sentBytes` of it (default 10), then resets the TCP connection.
 */
export function resetMidBody(sentBytes = 10, declaredBytes = 100, options: StatusOptions = {}): PartialBodyRoute {
  return partialBody('reset', sentBytes, declaredBytes, options);
}

/**
 * Sends `Content-Length: declaredBytes` (default 100) but only `sentBytes` of the body
 * (default 10), then ends the connection normally with a FIN.
 */
export function shortBody(sentBytes = 10, declaredBytes = 100, options: StatusOptions = {}): PartialBodyRoute {
  return partialBody('end', sentBytes, declaredBytes, options);
}

/**
 * Streams a JSON string of exactly `sizeBytes` bytes (`"xxx…x"`), at least 2, in
 * chunks of `chunkBytes`. Writing follows the socket's backpressure and stops when the
 * client goes away, so the body is never held in memory whole.
 */
export function hugeBody(sizeBytes: number, options: HugeBodyOptions = {}): StreamRoute {
  const chunkBytes = options.chunkBytes ?? 65_536;

  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 2) {
    throw new RangeError(`Invalid sizeBytes ${sizeBytes} for hugeBody: use an integer of at least 2.`);
  }

  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`Invalid chunkBytes ${chunkBytes} for hugeBody: use a positive integer.`);
  }

  return { kind: 'stream', status: options.status ?? 200, sizeBytes, chunked: options.chunked ?? false, chunkBytes };
}

/** Builds a response with `Content-Length: 0` and no body. Default status 200. */
export function emptyBody(status = 200): ResponseRoute {
  return reply(status);
}

/** Builds a 204 No Content response. */
export function noContent(): ResponseRoute {
  return reply(204);
}

/** Builds a truncated JSON document under `Content-Type: application/json`. Default status 200. */
export function invalidJson(status = 200): ResponseRoute {
  return reply(status, { headers: { 'content-type': 'application/json' }, body: '{"ok": tru' });
}

/** Builds a binary response. Defaults: {@link SAMPLE_PNG} bytes, `image/png`, status 200. */
export function binary(bytes: Buffer = SAMPLE_PNG, contentType = 'image/png', options: StatusOptions = {}): ResponseRoute {
  const headers = { 'content-type': contentType, ...lowercaseHeaders(options.headers ?? {}) };

  return reply(options.status ?? 200, { headers, body: bytes });
}

/** Builds a JSON response compressed with `encoding` and labeled with `Content-Encoding`. */
export function compressedJson(encoding: ContentCoding, status: number, value: unknown): ResponseRoute {
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  const headers = { 'content-type': 'application/json', 'content-encoding': encoding };

  return reply(status, { headers, body: compress(encoding, plain) });
}

/** Builds a response labeled `Content-Encoding: gzip` whose body is not gzip data. Default status 200. */
export function brokenGzip(status = 200): ResponseRoute {
  const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };

  return reply(status, { headers, body: Buffer.from('this is not gzip data', 'utf8') });
}

/** Builds a text response encoded as ISO-8859-1, with `Content-Type: text/plain; charset=iso-8859-1`. */
export function latin1Text(status: number, text: string): ResponseRoute {
  const headers = { 'content-type': 'text/plain; charset=iso-8859-1' };

  return reply(status, { headers, body: Buffer.from(text, 'latin1') });
}

/** Builds an empty redirect response. `location` is sent as given, so it may be relative. */
export function redirect(status: number, location: string): ResponseRoute {
  return reply(status, { headers: { location } });
}

/** Builds two routes that redirect to each other, for spreading into a {@link RouteTable}. Default status 302. */
export function redirectLoop(firstPath: string, secondPath: string, status = 302): Record<string, Route> {
  return {
    [firstPath]: redirect(status, secondPath),
    [secondPath]: redirect(status, firstPath),
  };
}

/**
 * Reads and records the request like any other, waits `delayMs` (default 0), then
 * closes the connection with a FIN and no response. The client cannot tell whether the
 * request was processed, but {@link FaultServer.requests} shows that it was.
 */
export function processThenDrop(delayMs = 0): DropRoute {
  return { kind: 'drop', delayMs };
}

/** Lets `compute` choose the route from the recorded request. A throw becomes a 500 JSON response. */
export function fromRequest(compute: (request: RecordedRequest) => Route): ComputedRoute {
  return { kind: 'computed', compute };
}

/** Returns the recorded request as JSON: `{ method, path, headers, body }`. Default status 200. */
export function echoRequest(status = 200): ComputedRoute {
  return fromRequest((request) => {
    const { method, path, headers, body } = request;

    return json(status, { method, path, headers, body });
  });
}

/** Running fault server. */
export interface FaultServer {
  /** Absolute URL of `path` on this server. Default path `/`. */
  url(path?: string): string;

  /** TCP port that the system assigned. */
  port: number;

  /** Every request whose body was fully read, in arrival order. */
  requests: RecordedRequest[];

  /** Number of recorded requests to `path` (query string ignored), or to any path when omitted. */
  requestCount(path?: string): number;

  /** Clears pending timers, destroys every open socket and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /** Loopback IP address to listen on: any of 127.0.0.0/8, or `::1`. Default `127.0.0.1`. */
  host?: string;
}

/**
 * Starts a fault server on port 0 of `options.host`. A path that `routes` lacks gets a
 * 404 JSON response. Rejects with a TypeError for a host that is not a loopback IP
 * address or for an invalid route table. The server, its sockets and its timers are
 * unref'd, so a test that never calls {@link FaultServer.close} does not keep Node.js running.
 */
export async function startFaultServer(routes: RouteTable, options: FaultServerOptions = {}): Promise<FaultServer> {
  const host = options.host ?? '127.0.0.1';
  validateHost(host);
  validateRoutes(routes);

  const server = new FaultHttpServer(routes, host);
  await server.listen();

  return server;
}

/** Accepts only loopback IP literals, so that tests never expose the server or resolve a name. */
function validateHost(host: string): void {
  const isLoopbackV4 = isIPv4(host) && host.startsWith('127.');

  if (!isLoopbackV4 && host !== '::1') {
    throw new TypeError(`Invalid host ${JSON.stringify(host)}: use a loopback IP address such as 127.0.0.1, 127.0.0.2 or ::1.`);
  }
}

function validateRoutes(routes: RouteTable): void {
  for (const [path, route] of Object.entries(routes)) {
    if (!path.startsWith('/') || path.includes('?')) {
      throw new TypeError(`Invalid route path ${JSON.stringify(path)}: use an absolute path without query string, such as "/items".`);
    }

    if (Array.isArray(route) && route.length === 0) {
      throw new TypeError(`Route ${path} is an empty array: give at least one Route.`);
    }
  }
}

class FaultHttpServer implements FaultServer {
  port = 0;
  readonly requests: RecordedRequest[] = [];

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly servedCount = new Map<string, number>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly routes: RouteTable,
    private readonly host: string,
  ) {
    this.server = createServer((request, response) => this.handleRequest(request, response));
    this.server.on('connection', (socket) => this.trackSocket(socket));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });

    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error(`Fault server on ${this.host} has no TCP address: ${String(address)}`);
    }

    this.port = address.port;
    this.server.unref();
  }

  url(path = '/'): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;

    return `http://${host}:${this.port}${path}`;
  }

  requestCount(path?: string): number {
    if (path === undefined) {
      return this.requests.length;
    }

    return this.requests.filter((request) => stripQuery(request.path) === path).length;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();

    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const timer of this.timers) {
      realClearTimeout(timer);
    }
    this.timers.clear();

    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }

    await closed;
  }

  private trackSocket(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.unref();
  }

  /** Runs `callback` after `delayMs` on a real timer that {@link close} clears. */
  private schedule(delayMs: number, callback: () => void): void {
    if (this.closing !== undefined) {
      return;
    }

    const timer = realSetTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];

    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      this.requests.push(recorded);

      this.serve(this.nextRoute(stripQuery(recorded.path)), recorded, response);
    });
  }

  /** Picks the route for `path` and advances its sequence. */
  private nextRoute(path: string): Route {
    const entry = this.routes[path];
    if (entry === undefined) {
      return json(404, { error: 'Not Found', message: `No route for ${path} on the fault server.` });
    }

    if (!Array.isArray(entry)) {
      return entry;
    }

    const index = this.servedCount.get(path) ?? 0;
    this.servedCount.set(path, index + 1);

    return entry[Math.min(index, entry.length - 1)] as Route;
  }

  private serve(route: Route, recorded: RecordedRequest, response: ServerResponse): void {
    switch (route.kind) {
      case 'response':
        writeResponse(response, route);
        return;
      case 'delay':
        this.schedule(route.delayMs, () => this.serveIfOpen(route.then, recorded, response));
        return;
      case 'trickle':
        this.trickle(response, route);
        return;
      case 'partialBody':
        writePartialBody(response, route);
        return;
      case 'stream':
        streamJsonString(response, route);
        return;
      case 'reset':
        resetSocket(response.socket);
        return;
      case 'drop':
        this.drop(response, route.delayMs);
        return;
      case 'computed':
        this.serve(computeRoute(route, recorded), recorded, response);
        return;
      default:
        assertNever(route);
    }
  }

  private serveIfOpen(route: Route, recorded: RecordedRequest, response: ServerResponse): void {
    if (response.socket === null || response.socket.destroyed) {
      return;
    }

    this.serve(route, recorded, response);
  }

  private trickle(response: ServerResponse, route: TrickleRoute): void {
    response.writeHead(route.status, { ...route.headers, 'content-length': route.body.length });
    response.flushHeaders();

    let offset = 0;
    const writeNextByte = (): void => {
      if (response.destroyed) {
        return;
      }

      if (offset >= route.body.length) {
        response.end();
        return;
      }

      response.write(route.body.subarray(offset, offset + 1));
      offset += 1;
      this.schedule(route.intervalMs, writeNextByte);
    };

    this.schedule(route.intervalMs, writeNextByte);
  }

  private drop(response: ServerResponse, delayMs: number): void {
    if (delayMs <= 0) {
      response.socket?.destroy();
      return;
    }

    this.schedule(delayMs, () => response.socket?.destroy());
  }
}

function writeResponse(response: ServerResponse, route: ResponseRoute): void {
  const headers = { ...route.headers };

  if (statusAllowsBody(route.status)) {
    headers['content-length'] = route.body.length;
  }

  response.writeHead(route.status, headers);
  response.end(route.body);
}

/** Tells whether a response of `status` has a body. 1xx, 204 and 304 responses have none, so they get no `Content-Length`. */
function statusAllowsBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

function writePartialBody(response: ServerResponse, route: PartialBodyRoute): void {
  const socket = response.socket;

  response.writeHead(route.status, { ...route.headers, 'content-length': route.declaredBytes });

  // The write callback runs once the kernel has the bytes, so the reset cannot overtake
  // them. On Linux loopback with Node.js 24 the client read all of them before the RST
  // in each of 300 runs.
  response.write(route.sent, () => {
    if (route.ending === 'reset') {
      resetSocket(socket);
    } else {
      socket?.end();
    }
  });
}

function streamJsonString(response: ServerResponse, route: StreamRoute): void {
  const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (!route.chunked) {
    headers['content-length'] = route.sizeBytes;
  }
  response.writeHead(route.status, headers);

  const filler = Buffer.alloc(Math.min(route.chunkBytes, route.sizeBytes), 'x');
  let offset = 0;
  let clientGone = false;
  response.once('close', () => {
    clientGone = true;
  });

  const writeUntilFull = (): void => {
    while (offset < route.sizeBytes) {
      if (clientGone || response.destroyed) {
        return;
      }

      const end = Math.min(offset + route.chunkBytes, route.sizeBytes);
      const chunk = jsonStringSlice(offset, end, route.sizeBytes, filler);
      offset = end;

      if (!response.write(chunk)) {
        response.once('drain', writeUntilFull);
        return;
      }
    }

    response.end();
  };

  writeUntilFull();
}

/** Returns bytes `start` to `end` of a JSON string of `size` bytes, reusing `filler` for the inner part. */
function jsonStringSlice(start: number, end: number, size: number, filler: Buffer): Buffer {
  if (start > 0 && end < size) {
    return filler.subarray(0, end - start);
  }

  const slice = Buffer.alloc(end - start, 'x');
  if (start === 0) {
    slice[0] = 0x22;
  }
  if (end === size) {
    slice[slice.length - 1] = 0x22;
  }

  return slice;
}

function partialBody(ending: 'reset' | 'end', sentBytes: number, declaredBytes: number, options: StatusOptions): PartialBodyRoute {
  if (!Number.isSafeInteger(sentBytes) || sentBytes < 0 || !Number.isSafeInteger(declaredBytes) || sentBytes >= declaredBytes) {
    throw new RangeError(
      `Invalid partial body: sentBytes ${sentBytes} and declaredBytes ${declaredBytes} must be integers with 0 <= sentBytes < declaredBytes.`,
    );
  }

  const sent = jsonStringSlice(0, sentBytes, declaredBytes, Buffer.alloc(0));

  return {
    kind: 'partialBody',
    status: options.status ?? 200,
    headers: { 'content-type': 'application/json', ...lowercaseHeaders(options.headers ?? {}) },
    declaredBytes,
    sent,
    ending,
  };
}

/** Sends a TCP RST with `resetAndDestroy()`, or a FIN on a Node.js version that lacks it. */
function resetSocket(socket: Socket | null): void {
  if (socket === null || socket.destroyed) {
    return;
  }

  if (typeof socket.resetAndDestroy === 'function') {
    socket.resetAndDestroy();
  } else {
    socket.destroy();
  }
}

function computeRoute(route: ComputedRoute, recorded: RecordedRequest): Route {
  try {
    return route.compute(recorded);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);

    return json(500, { error: 'Route function failed', message });
  }
}

function compress(encoding: ContentCoding, plain: Buffer): Buffer {
  switch (encoding) {
    case 'gzip':
      return gzipSync(plain);
    case 'deflate':
      return deflateSync(plain);
    case 'br':
      return brotliCompressSync(plain);
    default:
      return assertNever(encoding);
  }
}

function lowercaseHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const lowercased: OutgoingHttpHeaders = {};

  for (const [name, value] of Object.entries(headers)) {
    lowercased[name.toLowerCase()] = value;
  }

  return lowercased;
}

function stripQuery(path: string): string {
  const queryStart = path.indexOf('?');

  return queryStart === -1 ? path : path.slice(0, queryStart);
}

function assertNever(value: never): never {
  throw new Error(`Unhandled value: ${JSON.stringify(value)}`);
}
