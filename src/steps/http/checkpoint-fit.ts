import { ResponseTooLargeError } from '../../errors';

import type { HttpCallResult } from './result';

/** Largest step result the durable service accepts in one checkpoint: 256 KiB. */
export const CHECKPOINT_LIMIT_BYTES = 256 * 1024;

/** Part of the limit kept free for the checkpoint envelope, in bytes. */
const ENVELOPE_RESERVE_BYTES = 4 * 1024;

/** Bytes a step result may take as JSON. */
export const RESULT_BUDGET_BYTES = CHECKPOINT_LIMIT_BYTES - ENVELOPE_RESERVE_BYTES;

/**
 * Makes sure the serialized step result fits in one checkpoint. Base64 and JSON
 * escaping can make a body under `maxResponseBytes` larger than the limit; then the
 * data is cut (with `truncate`) or the call fails with {@link ResponseTooLargeError}.
 * The local test runner does not enforce the limit, so this check is the only one
 * that runs before deployment.
 */
export function fitCheckpoint(result: HttpCallResult, truncate: boolean, bodyBytes?: number): HttpCallResult {
  if (bodyBytes !== undefined && fitsWithoutMeasuring(result, bodyBytes)) {
    return result;
  }

  let size = serializedSize(result);
  if (size <= RESULT_BUDGET_BYTES) {
    return result;
  }

  if (!truncate) {
    throw new ResponseTooLargeError(
      `Response from ${result.url} would take ${size} bytes as a step result (${result.bodyEncoding} encoding), over the ${CHECKPOINT_LIMIT_BYTES}-byte checkpoint limit. Lower maxResponseBytes or set onLargeResponse to "truncate".`,
      { url: result.url, status: result.status, resultBytes: size, limit: CHECKPOINT_LIMIT_BYTES },
    );
  }

  let text = typeof result.data === 'string' ? result.data : JSON.stringify(result.data);
  const bodyEncoding = result.bodyEncoding === 'json' ? 'text' : result.bodyEncoding;

  while (size > RESULT_BUDGET_BYTES && text.length > 0) {
    const cut = Math.max(4, Math.ceil(((size - RESULT_BUDGET_BYTES) / size) * text.length) + 4);
    text = cutText(text, cut, bodyEncoding === 'base64');
    size = serializedSize({ ...result, data: text, bodyEncoding, truncated: true });
  }
  return { ...result, data: text, bodyEncoding, truncated: true };
}

/**
 * Maximum bytes that one decoded body byte can take in the serialized result: a control
 * byte in text becomes the 6-character escape `\u0000`, and the 4-byte JSON number
 * `1e20` is written back as 21 digits (5.25 per byte).
 */
const WORST_CASE_EXPANSION = 6;

/**
 * Tells, without serializing the body, whether the result fits even if every body byte
 * grew by {@link WORST_CASE_EXPANSION}, so small bodies skip the full `JSON.stringify`.
 */
function fitsWithoutMeasuring(result: HttpCallResult, bodyBytes: number): boolean {
  const envelope = serializedSize({ ...result, data: null });
  return envelope + bodyBytes * WORST_CASE_EXPANSION <= RESULT_BUDGET_BYTES;
}

function serializedSize(result: HttpCallResult): number {
  return Buffer.byteLength(JSON.stringify(result), 'utf8');
}

/**
 * Drops `count` UTF-16 code units from the end, and up to three more so that base64
 * keeps whole 4-character groups and other text does not end in half a surrogate pair.
 */
function cutText(text: string, count: number, base64: boolean): string {
  let length = Math.max(0, text.length - count);
  if (base64) {
    length -= length % 4;
  } else if (length > 0 && isHighSurrogate(text.charCodeAt(length - 1))) {
    length -= 1;
  }
  return text.slice(0, length);
}

function isHighSurrogate(codeUnit: number): boolean {
  return codeUnit >= 0xd800 && codeUnit <= 0xdbff;
}
