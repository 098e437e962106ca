import { binary, compressedJson, hugeBody, startFaultServer, type FaultServer } from '../support/fault-server';
import { createTestHandler, retryDelays, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';
import { stepResultPayload } from '../support/step-history';

useSkipTimeEnvironment();

/** Default `maxResponseBytes`: 200 KiB. */
const DEFAULT_LIMIT = 200 * 1024;

/** Largest `maxResponseBytes` the event accepts: 240 KiB. */
const MAX_LIMIT = 240 * 1024;

const CHECKPOINT_LIMIT = 256 * 1024;

/** Returns `size` bytes in a fixed pattern that is not valid UTF-8, so the step returns them as base64. */
function binaryBytes(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, index) => (index * 31 + 0x80) % 256));
}

describe('HTTP step size cap', () => {
  let server: FaultServer;
  const handler = createTestHandler();

  afterEach(async () => {
    await server?.close();
  });

  describe('maxResponseBytes', () => {
    it('rejects huge body with Content-Length', async () => {
      server = await startFaultServer({ '/huge': hugeBody(300_000) });

      const outcome = await runExecution(handler, { url: server.url('/huge'), retry: { initialDelaySeconds: 1 } });

      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(details.name).toBe('ResponseTooLargeError');
      expect(details.retryable).toBe(false);
      expect(details.limit).toBe(DEFAULT_LIMIT);
      expect(details.contentLength).toBe(300_000);
      expect(details.message).toContain(`maxResponseBytes (${DEFAULT_LIMIT} bytes; Content-Length: 300000 bytes)`);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/huge')).toBe(1);
    });

    it('rejects huge chunked body', async () => {
      server = await startFaultServer({ '/huge': hugeBody(300_000, { chunked: true }) });

      const outcome = await runExecution(handler, { url: server.url('/huge'), retry: { initialDelaySeconds: 1 } });

      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(details.name).toBe('ResponseTooLargeError');
      expect(details.retryable).toBe(false);
      expect(details.limit).toBe(DEFAULT_LIMIT);
      expect(details.contentLength).toBeNull();
      expect(details.message).toContain('Content-Length: unknown');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
      expect(server.requestCount('/huge')).toBe(1);
    });

    it('counts decoded bytes of gzip', async () => {
      server = await startFaultServer({ '/bomb': compressedJson('gzip', 200, 'x'.repeat(300_000)) });

      const outcome = await runExecution(handler, { url: server.url('/bomb') });

      expect(outcome.body.details.name).toBe('ResponseTooLargeError');
      expect(outcome.body.details.contentLength).toBeLessThan(DEFAULT_LIMIT);
      expect(outcome.body.details.message).toContain('before gzip decoding');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it.each([false, true])('truncates huge body (chunked: %s)', async (chunked) => {
      server = await startFaultServer({ '/huge': hugeBody(5_000, { chunked, chunkBytes: 700 }) });

      const outcome = await runExecution(handler, { url: server.url('/huge'), maxResponseBytes: 1_000, onLargeResponse: 'truncate' });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.truncated).toBe(true);
      expect(outcome.body.bodyEncoding).toBe('text');
      expect(outcome.body.data).toBe(`"${'x'.repeat(999)}`);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it('keeps body of exactly limit', async () => {
      server = await startFaultServer({ '/exact': hugeBody(1_000) });

      const outcome = await runExecution(handler, { url: server.url('/exact'), maxResponseBytes: 1_000 });

      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.data).toBe('x'.repeat(998));
      expect(outcome.body).not.toHaveProperty('truncated');
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });

  describe('checkpoint limit', () => {
    const bytes = binaryBytes(MAX_LIMIT);

    it('rejects base64 over checkpoint', async () => {
      server = await startFaultServer({ '/blob': binary(bytes, 'application/octet-stream') });

      const outcome = await runExecution(handler, { url: server.url('/blob'), maxResponseBytes: MAX_LIMIT });

      const { details } = outcome.body;
      expect(outcome.response.statusCode).toBe(502);
      expect(details.name).toBe('ResponseTooLargeError');
      expect(details.retryable).toBe(false);
      expect(details.limit).toBe(CHECKPOINT_LIMIT);
      expect(details.resultBytes).toBeGreaterThan(CHECKPOINT_LIMIT);
      expect(details.message).toContain(`${CHECKPOINT_LIMIT}-byte checkpoint limit`);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });

    it('truncates base64 to fit', async () => {
      server = await startFaultServer({ '/blob': binary(bytes, 'application/octet-stream') });

      const outcome = await runExecution(handler, { url: server.url('/blob'), maxResponseBytes: MAX_LIMIT, onLargeResponse: 'truncate' });

      const keptBytes = Buffer.from(outcome.body.data as string, 'base64');
      expect(outcome.response.statusCode).toBe(200);
      expect(outcome.body.truncated).toBe(true);
      expect(outcome.body.bodyEncoding).toBe('base64');
      expect(keptBytes.length).toBeGreaterThan(150 * 1024);
      expect(keptBytes.equals(bytes.subarray(0, keptBytes.length))).toBe(true);
      expect(Buffer.byteLength(stepResultPayload(outcome.rawEvents))).toBeLessThanOrEqual(CHECKPOINT_LIMIT);
      expect(outcome.body.attempts).toBe(1);
      expect(retryDelays(outcome.history)).toEqual([]);
    });
  });
});
