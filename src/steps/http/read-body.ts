import type http from 'node:http';
import type { Readable } from 'node:stream';
import type zlib from 'node:zlib';

/** Limits that apply while the body streams in. */
export interface BodyLimits {
  /** Most decoded bytes kept, in bytes. */
  maxBytes: number;

  /** Keep the first `maxBytes` and stop reading, instead of failing. */
  truncate: boolean;
}

export interface BodyBytes {
  bytes: Buffer;
  truncated: boolean;
}

/** The body passed `maxBytes` while it streamed in; no more of it was read. */
export class BodyLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`body is larger than ${limit} bytes`);
    this.name = 'BodyLimitExceeded';
  }
}

/** The `content-encoding` could not be decoded. */
export class BodyDecodeFailed extends Error {
  constructor(readonly encoding: string, cause: unknown) {
    super(`content-encoding ${encoding} could not be decoded: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'BodyDecodeFailed';
  }
}

const SUPPORTED_ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate', 'br']);

/** Returns the content codings of a response, outermost last, or throws for an unsupported one. */
export function contentCodings(headers: http.IncomingHttpHeaders): string[] {
  const header = headers['content-encoding'];
  if (!header) {
    return [];
  }

  const codings = header.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part && part !== 'identity');
  const unsupported = codings.find((coding) => !SUPPORTED_ENCODINGS.has(coding));
  if (unsupported) {
    throw new BodyDecodeFailed(unsupported, new Error('unsupported content-encoding'));
  }
  return codings;
}

/**
 * Reads a response body, decompressing gzip, deflate and br on the fly, and counts
 * decoded bytes as they arrive, so a body over the limit is never buffered whole.
 * Socket errors (reset, premature close, deadline) reject with the stream's error;
 * a decoder error rejects with {@link BodyDecodeFailed}.
 */
export async function readBody(response: http.IncomingMessage, limits: BodyLimits): Promise<BodyBytes> {
  const chain = buildDecoderChain(response, contentCodings(response.headers));

  try {
    return await collectChunks(chain.output, limits);
  } catch (error) {
    throw chain.decodeFailure() ?? error;
  } finally {
    response.destroy();
    chain.output.destroy();
  }
}

/**
 * Collects a stream's chunks up to `limits.maxBytes` with plain stream events, which
 * costs less per chunk than async iteration. Rejects with the stream's error, or with
 * an `ECONNRESET` error when the stream closes before its end.
 */
function collectChunks(stream: Readable, limits: BodyLimits): Promise<BodyBytes> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;

    const finish = (outcome: () => void): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      // The stream is destroyed next; an error it emits after this point has no reader left.
      stream.on('error', ignoreLateError);
      outcome();
    };

    const onData = (chunk: Buffer): void => {
      const room = limits.maxBytes - total;
      if (chunk.length <= room) {
        chunks.push(chunk);
        total += chunk.length;
        return;
      }

      if (!limits.truncate) {
        finish(() => reject(new BodyLimitExceeded(limits.maxBytes)));
        return;
      }
      chunks.push(chunk.subarray(0, room));
      finish(() => resolve({ bytes: Buffer.concat(chunks), truncated: true }));
    };
    const onEnd = (): void => finish(() => resolve({ bytes: Buffer.concat(chunks), truncated: false }));
    const onError = (error: Error): void => finish(() => reject(error));
    const onClose = (): void => finish(() => reject(Object.assign(new Error('response closed before the body ended'), { code: 'ECONNRESET' })));

    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

function ignoreLateError(): void {}

interface DecoderChain {
  output: Readable;

  /** The first decoder error that did not come from the socket, if any. */
  decodeFailure(): BodyDecodeFailed | undefined;
}

/**
 * Pipes the response through one decoder per content coding, the last applied
 * coding first. `pipe` does not forward errors, so each stage passes its error on.
 */
function buildDecoderChain(response: http.IncomingMessage, codings: string[]): DecoderChain {
  let socketError: unknown;
  let decodeError: BodyDecodeFailed | undefined;
  response.once('error', (error) => {
    socketError = error;
  });

  let output: Readable = response;
  for (const coding of [...codings].reverse()) {
    const decoder = createDecoder(coding);
    const source = output;

    source.once('error', (error) => decoder.destroy(error));
    decoder.once('error', (error) => {
      if (error !== socketError && decodeError === undefined) {
        decodeError = new BodyDecodeFailed(coding, error);
      }
    });

    output = source.pipe(decoder);
  }

  return { output, decodeFailure: () => decodeError };
}

function createDecoder(coding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
  // Loaded on the first encoded body instead of at cold start.
  const zlib = require('node:zlib') as typeof import('node:zlib');

  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    default:
      return zlib.createBrotliDecompress();
  }
}
