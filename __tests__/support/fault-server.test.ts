import FakeTimers from '@sinonjs/fake-timers';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import {
  SAMPLE_PNG,
  binary,
  brokenGzip,
  compressedJson,
  echoRequest,
  emptyBody,
  fromRequest,
  hugeBody,
  invalidJson,
  json,
  latin1Text,
  noContent,
  processThenDrop,
  redirect,
  redirectLoop,
  reply,
  resetBeforeHeaders,
  resetMidBody,
  retryAfterDate,
  retryAfterSeconds,
  shortBody,
  slowHeaders,
  startFaultServer,
  trickleBody,
} from './fault-server';
import type { ContentCoding, FaultServer } from './fault-server';

// Captured before any test installs a fake clock, so that elapsed times and polling stay real.
const realNow = performance.now.bind(performance);
const realSetTimeout = globalThis.setTimeout;

/** What a client observed: the response head if one arrived, the body bytes, and the error that ended it. */
interface Outcome {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: Buffer;
  errorCode?: string;
  elapsedMs: number;
}

interface SendOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;

  /** Destroy the request once this many body bytes have arrived. */
  abortAfterBytes?: number;
}

/** Sends one request on a fresh connection and resolves with what arrived, also when the connection fails. */
function send(url: string, options: SendOptions = {}): Promise<Outcome> {
  const started = realNow();
  const chunks: Buffer[] = [];
  let receivedBytes = 0;

  return new Promise((resolve) => {
    const outcome: Omit<Outcome, 'body' | 'elapsedMs'> = {};
    const finish = (error?: NodeJS.ErrnoException): void => {
      outcome.errorCode ??= error?.code;
      resolve({ ...outcome, body: Buffer.concat(chunks), elapsedMs: realNow() - started });
    };

    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (response) => {
      outcome.status = response.statusCode;
      outcome.headers = response.headers;

      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        receivedBytes += chunk.length;

        if (options.abortAfterBytes !== undefined && receivedBytes >= options.abortAfterBytes) {
          request.destroy();
          finish();
        }
      });
      response.on('end', () => finish());
      response.on('error', finish);
    });

    request.on('error', finish);
    request.end(options.body);
  });
}

/** Polls with a real timer until `condition` holds, failing after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = realNow() + timeoutMs;

  while (!condition()) {
    if (realNow() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for the condition.`);
    }
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

describe('fault server', () => {
  let running: FaultServer | undefined;

  /** Starts a server that `afterEach` closes. */
  async function start(...args: Parameters<typeof startFaultServer>): Promise<FaultServer> {
    running = await startFaultServer(...args);

    return running;
  }

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('plain responses', () => {
    it('serves JSON status and body', async () => {
      const server = await start({ '/items': json(201, { id: 7 }) });

      const outcome = await send(server.url('/items'));

      expect(outcome.status).toBe(201);
      expect(outcome.headers?.['content-type']).toBe('application/json');
      expect(JSON.parse(outcome.body.toString('utf8'))).toEqual({ id: 7 });
    });

    it('sends custom headers and body', async () => {
      const server = await start({ '/plain': reply(503, { headers: { 'X-Trace': 'abc' }, body: 'down' }) });

      const outcome = await send(server.url('/plain'));

      expect(outcome.status).toBe(503);
      expect(outcome.headers?.['x-trace']).toBe('abc');
      expect(outcome.headers?.['content-length']).toBe('4');
      expect(outcome.body.toString('utf8')).toBe('down');
    });

    it('serves object body as JSON', async () => {
      const server = await start({ '/object': reply(200, { body: { ok: true } }) });

      const outcome = await send(server.url('/object'));

      expect(outcome.headers?.['content-type']).toBe('application/json');
      expect(outcome.body.toString('utf8')).toBe('{"ok":true}');
    });

    it('unknown path returns 404', async () => {
      const server = await start({});

      const outcome = await send(server.url('/missing'));

      expect(outcome.status).toBe(404);
      expect(JSON.parse(outcome.body.toString('utf8'))).toMatchObject({ error: 'Not Found' });
    });
  });

  describe('request recording', () => {
    it('records method, path, headers, body', async () => {
      const server = await start({ '/orders': json(200, {}) });

      await send(server.url('/orders?dry=1'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k-1' },
        body: '{"qty":2}',
      });

      const [recorded] = server.requests;
      expect(server.requests).toHaveLength(1);
      expect(recorded?.method).toBe('POST');
      expect(recorded?.path).toBe('/orders?dry=1');
      expect(recorded?.headers['idempotency-key']).toBe('k-1');
      expect(recorded?.body).toBe('{"qty":2}');
    });

    it('counts requests per path', async () => {
      const server = await start({ '/a': json(200, {}), '/b': json(200, {}) });

      await send(server.url('/a'));
      await send(server.url('/a?page=2'));
      await send(server.url('/b'));

      expect(server.requestCount('/a')).toBe(2);
      expect(server.requestCount('/b')).toBe(1);
      expect(server.requestCount()).toBe(3);
    });
  });

  describe('status sequences', () => {
    it('serves routes in order', async () => {
      const server = await start({ '/flaky': [reply(503), reply(503), json(200, { ok: true })] });

      const statuses: Array<number | undefined> = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        statuses.push((await send(server.url('/flaky'))).status);
      }

      expect(statuses).toEqual([503, 503, 200, 200]);
    });

    it('rejects empty route array', async () => {
      const starting = startFaultServer({ '/none': [] });

      await expect(starting).rejects.toThrow('Route /none is an empty array');
    });
  });

  describe('Retry-After', () => {
    it('sends delay in seconds', async () => {
      const server = await start({ '/limited': retryAfterSeconds(429, 3) });

      const outcome = await send(server.url('/limited'));

      expect(outcome.status).toBe(429);
      expect(outcome.headers?.['retry-after']).toBe('3');
    });

    it('sends HTTP date', async () => {
      const date = new Date('2030-01-02T03:04:05Z');
      const server = await start({ '/busy': retryAfterDate(503, date) });

      const outcome = await send(server.url('/busy'));

      expect(outcome.status).toBe(503);
      expect(outcome.headers?.['retry-after']).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
    });
  });

  describe('timing faults', () => {
    it('delays headers by delayMs', async () => {
      const server = await start({ '/slow': slowHeaders(200) });

      const outcome = await send(server.url('/slow'));

      expect(outcome.status).toBe(200);
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(190);
    });

    it('trickles body byte by byte', async () => {
      const server = await start({ '/trickle': trickleBody('hello', 30) });

      const outcome = await send(server.url('/trickle'));

      expect(outcome.headers?.['content-length']).toBe('5');
      expect(outcome.body.toString('utf8')).toBe('hello');
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(5 * 30 - 10);
    });
  });

  describe('connection faults', () => {
    it('resets before headers', async () => {
      const server = await start({ '/reset': resetBeforeHeaders() });

      const outcome = await send(server.url('/reset'));

      expect(outcome.status).toBeUndefined();
      expect(outcome.errorCode).toBe('ECONNRESET');
      expect(server.requestCount('/reset')).toBe(1);
    });

    it('resets mid-body', async () => {
      const server = await start({ '/reset-body': resetMidBody(10, 100) });

      const outcome = await send(server.url('/reset-body'));

      expect(outcome.status).toBe(200);
      expect(outcome.headers?.['content-length']).toBe('100');
      expect(outcome.body).toHaveLength(10);
      expect(outcome.errorCode).toBe('ECONNRESET');
    });

    it('ends body before Content-Length', async () => {
      const server = await start({ '/short': shortBody() });

      const outcome = await send(server.url('/short'));

      expect(outcome.headers?.['content-length']).toBe('100');
      expect(outcome.body).toHaveLength(10);
      expect(outcome.errorCode).toBe('ECONNRESET');
    });

    it('drops processed POST unanswered', async () => {
      const server = await start({ '/charge': processThenDrop() });

      const outcome = await send(server.url('/charge'), { method: 'POST', body: '{"amount":5}' });

      expect(outcome.status).toBeUndefined();
      expect(outcome.errorCode).toBe('ECONNRESET');
      expect(server.requestCount('/charge')).toBe(1);
      expect(server.requests[0]?.body).toBe('{"amount":5}');
    });

    it('close destroys open sockets', async () => {
      const server = await start({ '/hang': slowHeaders(5000) });
      const pending = send(server.url('/hang'));
      await waitUntil(() => server.requestCount('/hang') === 1);

      await server.close();
      const outcome = await pending;

      expect(outcome.errorCode).toBe('ECONNRESET');
      expect(outcome.elapsedMs).toBeLessThan(2000);
    });
  });

  describe('huge bodies', () => {
    const sizeBytes = 5 * 1024 * 1024;

    it('streams with Content-Length', async () => {
      const server = await start({ '/huge': hugeBody(sizeBytes) });

      const outcome = await send(server.url('/huge'));

      expect(outcome.headers?.['content-length']).toBe(String(sizeBytes));
      expect(outcome.body).toHaveLength(sizeBytes);
      expect(outcome.body[0]).toBe(0x22);
      expect(outcome.body[sizeBytes - 1]).toBe(0x22);
    });

    it('streams chunked', async () => {
      const server = await start({ '/huge': hugeBody(sizeBytes, { chunked: true }) });

      const outcome = await send(server.url('/huge'));

      expect(outcome.headers?.['transfer-encoding']).toBe('chunked');
      expect(outcome.headers?.['content-length']).toBeUndefined();
      expect(outcome.body).toHaveLength(sizeBytes);
    });

    it('survives client abort', async () => {
      const server = await start({ '/huge': hugeBody(1024 * 1024 * 1024), '/ok': json(200, {}) });

      const aborted = await send(server.url('/huge'), { abortAfterBytes: 1 });
      const next = await send(server.url('/ok'));

      expect(aborted.body.length).toBeLessThan(1024 * 1024 * 1024);
      expect(next.status).toBe(200);
    });

    it('rejects size below 2', () => {
      const build = (): unknown => hugeBody(1);

      expect(build).toThrow(RangeError);
    });
  });

  describe('body contents', () => {
    it('sends empty 200', async () => {
      const server = await start({ '/empty': emptyBody() });

      const outcome = await send(server.url('/empty'));

      expect(outcome.status).toBe(200);
      expect(outcome.headers?.['content-length']).toBe('0');
      expect(outcome.body).toHaveLength(0);
    });

    it('sends 204 without body', async () => {
      const server = await start({ '/none': noContent() });

      const outcome = await send(server.url('/none'));

      expect(outcome.status).toBe(204);
      expect(outcome.headers?.['content-length']).toBeUndefined();
      expect(outcome.body).toHaveLength(0);
    });

    it('sends invalid JSON', async () => {
      const server = await start({ '/bad': invalidJson() });

      const outcome = await send(server.url('/bad'));

      expect(outcome.headers?.['content-type']).toBe('application/json');
      expect(() => JSON.parse(outcome.body.toString('utf8'))).toThrow(SyntaxError);
    });

    it('sends binary bytes unchanged', async () => {
      const server = await start({ '/logo.png': binary() });

      const outcome = await send(server.url('/logo.png'));

      expect(outcome.headers?.['content-type']).toBe('image/png');
      expect(outcome.body.equals(SAMPLE_PNG)).toBe(true);
    });

    it('sends ISO-8859-1 text', async () => {
      const server = await start({ '/text': latin1Text(200, 'café') });

      const outcome = await send(server.url('/text'));

      expect(outcome.headers?.['content-type']).toBe('text/plain; charset=iso-8859-1');
      expect([...outcome.body]).toEqual([0x63, 0x61, 0x66, 0xe9]);
    });
  });

  describe('content encodings', () => {
    const decoders: Record<ContentCoding, (body: Buffer) => Buffer> = {
      gzip: gunzipSync,
      deflate: inflateSync,
      br: brotliDecompressSync,
    };

    it.each(['gzip', 'deflate', 'br'] as const)('sends valid %s', async (encoding) => {
      const server = await start({ '/packed': compressedJson(encoding, 200, { ok: true }) });

      const outcome = await send(server.url('/packed'));

      expect(outcome.headers?.['content-encoding']).toBe(encoding);
      expect(decoders[encoding](outcome.body).toString('utf8')).toBe('{"ok":true}');
    });

    it('sends broken gzip', async () => {
      const server = await start({ '/broken': brokenGzip() });

      const outcome = await send(server.url('/broken'));

      expect(outcome.headers?.['content-encoding']).toBe('gzip');
      expect(() => gunzipSync(outcome.body)).toThrow();
    });
  });

  describe('redirects', () => {
    it('sends status and Location', async () => {
      const server = await start({ '/old': redirect(308, '/new') });

      const outcome = await send(server.url('/old'));

      expect(outcome.status).toBe(308);
      expect(outcome.headers?.location).toBe('/new');
    });

    it('follows relative chain with fetch', async () => {
      const server = await start({
        '/v1/start': redirect(301, 'middle'),
        '/v1/middle': redirect(302, '/v2/end'),
        '/v2/end': json(200, { done: true }),
      });

      const response = await fetch(server.url('/v1/start'));

      expect(response.status).toBe(200);
      expect(response.url).toBe(server.url('/v2/end'));
      expect(server.requestCount()).toBe(3);
    });

    it('loop makes fetch fail', async () => {
      const server = await start(redirectLoop('/a', '/b'));

      const error = await fetch(server.url('/a')).then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );

      expect(error?.message).toBe('fetch failed');
      expect((error?.cause as Error | undefined)?.message).toBe('redirect count exceeded');
      expect(server.requestCount('/a')).toBeGreaterThan(1);
      expect(server.requestCount('/b')).toBeGreaterThan(1);
    });
  });

  describe('computed routes', () => {
    it('echoes request headers', async () => {
      const server = await start({ '/echo': echoRequest() });

      const outcome = await send(server.url('/echo?q=1'), { headers: { 'x-request-id': 'r-9' } });
      const echoed = JSON.parse(outcome.body.toString('utf8')) as { path: string; headers: Record<string, string> };

      expect(echoed.path).toBe('/echo?q=1');
      expect(echoed.headers['x-request-id']).toBe('r-9');
    });

    it('chooses route from request', async () => {
      const route = fromRequest((request) => (request.headers.authorization ? json(200, {}) : reply(401)));
      const server = await start({ '/secure': route });

      const denied = await send(server.url('/secure'));
      const allowed = await send(server.url('/secure'), { headers: { authorization: 'Bearer t' } });

      expect(denied.status).toBe(401);
      expect(allowed.status).toBe(200);
    });

    it('turns throw into 500', async () => {
      const route = fromRequest(() => {
        throw new Error('boom');
      });
      const server = await start({ '/throws': route });

      const outcome = await send(server.url('/throws'));

      expect(outcome.status).toBe(500);
      expect(JSON.parse(outcome.body.toString('utf8'))).toMatchObject({ message: 'boom' });
    });
  });

  describe('hosts', () => {
    it('listens on 127.0.0.2', async () => {
      const server = await start({ '/here': json(200, {}) }, { host: '127.0.0.2' });

      const outcome = await send(server.url('/here'));

      expect(server.url('/here')).toBe(`http://127.0.0.2:${server.port}/here`);
      expect(outcome.status).toBe(200);
    });

    it.each(['0.0.0.0', 'localhost', '10.0.0.1'])('rejects non-loopback host %s', async (host) => {
      const starting = startFaultServer({}, { host });

      await expect(starting).rejects.toThrow('use a loopback IP address');
    });
  });

  describe('under fake timers', () => {
    it('slow headers ignore clock ticks', async () => {
      const clock = FakeTimers.install({ shouldAdvanceTime: true, shouldClearNativeTimers: true });
      try {
        const server = await start({ '/slow': slowHeaders(300) });
        const pending = send(server.url('/slow'));
        await waitUntil(() => server.requestCount('/slow') === 1);

        // The durable test runner ticks its clock like this to skip a wait.
        clock.tick(10_000);
        const outcome = await pending;

        expect(outcome.status).toBe(200);
        expect(outcome.elapsedMs).toBeGreaterThanOrEqual(290);
        expect(outcome.elapsedMs).toBeLessThan(2000);
      } finally {
        clock.uninstall();
      }
    });
  });
});
