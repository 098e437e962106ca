import {
  SAMPLE_PNG,
  binary,
  brokenGzip,
  compressedJson,
  emptyBody,
  invalidJson,
  json,
  latin1Text,
  noContent,
  reply,
  startFaultServer,
  type ContentCoding,
  type FaultServer,
  type Route,
} from '../support/fault-server';
import { createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';

useSkipTimeEnvironment();

const RETRY = { maxAttempts: 3, initialDelaySeconds: 1 };

describe('HTTP step responses', () => {
  let server: FaultServer;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
  });

  /** Serves `route` on `/body`, runs one execution against it and returns the outcome. */
  async function callRoute(route: Route) {
    server = await startFaultServer({ '/body': route });
    return runExecution(handler, { url: server.url('/body'), retry: RETRY });
  }

  describe('empty body', () => {
    it.each<[string, Route, number]>([
      ['empty 200', emptyBody(200), 200],
      ['204', noContent(), 204],
    ])('returns null data for %s', async (_case, route, status) => {
      const outcome = await callRoute(route);

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.status).toBe(status);
      expect(outcome.body.data).toBeNull();
      expect(outcome.body.bodyEncoding).toBe('none');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('JSON', () => {
    it('rejects invalid JSON', async () => {
      const outcome = await callRoute(invalidJson());

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('InvalidResponseError');
      expect(outcome.body.details.contentType).toBe('application/json');
      expect(outcome.body.details.message).toContain('content-type "application/json"');
      expect(outcome.body.details.retryable).toBe(false);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/body')).toBe(1);
    });

    it.each(['application/problem+json', 'application/vnd.api+json; charset=utf-8', 'Application/JSON; charset="UTF-8"'])(
      'parses %s',
      async (contentType) => {
        const outcome = await callRoute(json(200, { title: 'Out of stock', items: [1, 2] }, { 'content-type': contentType }));

        expect(outcome.response.statusCode).toBe(200);
        expect(outcome.body.data).toEqual({ title: 'Out of stock', items: [1, 2] });
        expect(outcome.body.bodyEncoding).toBe('json');
        expect(outcome.body.attempts).toBe(1);
        expect(retryDelays(outcome.history)).toEqual([]);
      },
    );
  });

  describe('text', () => {
    it('decodes ISO-8859-1', async () => {
      const outcome = await callRoute(latin1Text(200, 'Crème brûlée à £5, ÿ'));

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toBe('Crème brûlée à £5, ÿ');
      expect(outcome.body.bodyEncoding).toBe('text');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it('decodes UTF-8 without charset', async () => {
      const outcome = await callRoute(reply(200, { headers: { 'content-type': 'text/plain' }, body: 'naïve café' }));

      expect(outcome.body.data).toBe('naïve café');
      expect(outcome.body.bodyEncoding).toBe('text');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('binary', () => {
    it('returns base64', async () => {
      const outcome = await callRoute(binary());

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toBe(SAMPLE_PNG.toString('base64'));
      expect(outcome.body.bodyEncoding).toBe('base64');
      expect(outcome.body.headers['content-type']).toBe('image/png');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('content-encoding', () => {
    it.each<ContentCoding>(['gzip', 'deflate', 'br'])('decodes %s', async (coding) => {
      const outcome = await callRoute(compressedJson(coding, 200, { id: 42, name: 'widget' }));

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toEqual({ id: 42, name: 'widget' });
      expect(outcome.body.bodyEncoding).toBe('json');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it('rejects broken gzip', async () => {
      const outcome = await callRoute(brokenGzip());

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('InvalidResponseError');
      expect(outcome.body.details.contentEncoding).toBe('gzip');
      expect(outcome.body.details.retryable).toBe(false);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/body')).toBe(1);
    });

    it('keeps status of broken gzip 503', async () => {
      server = await startFaultServer({ '/body': brokenGzip(503) });

      const outcome = await runExecution(handler, { url: server.url('/body'), retry: { maxAttempts: 2, initialDelaySeconds: 1 } });

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.status).toBe(503);
      expect(outcome.body.details.name).toBe('HttpStatusError');
      expect(outcome.body.details.responseBody).toBe('[response body not shown: content-encoding gzip could not be decoded: incorrect header check]');
      expect(outcome.body.attempts).toBe(2);
      expect(retryDelays(outcome.history)).toEqual([1]);
      expect(server.requestCount('/body')).toBe(2);
    });

    it('rejects unknown coding', async () => {
      const outcome = await callRoute(reply(200, { headers: { 'content-type': 'text/plain', 'content-encoding': 'zstd' }, body: 'zstd bytes' }));

      expect(outcome.response.statusCode).toBe(502);
      expect(outcome.body.details.name).toBe('InvalidResponseError');
      expect(outcome.body.details.contentEncoding).toBe('zstd');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });
});
