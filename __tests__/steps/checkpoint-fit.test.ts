import { ResponseTooLargeError } from '../../src/errors';
import type { JsonValue } from '../../src/schemas/event';
import { CHECKPOINT_LIMIT_BYTES, fitCheckpoint, RESULT_BUDGET_BYTES } from '../../src/steps/http/checkpoint-fit';
import type { BodyEncoding } from '../../src/steps/http/decode-content';
import type { HttpCallResult } from '../../src/steps/http/result';

function createResult(data: JsonValue, bodyEncoding: BodyEncoding): HttpCallResult {
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream' },
    data,
    bodyEncoding,
    url: 'http://127.0.0.1:8080/blob',
    redirects: [],
    elapsedMs: 12,
    startedAt: '2026-01-01T00:00:00.000Z',
    attempt: 1,
  };
}

function serializedBytes(result: HttpCallResult): number {
  return Buffer.byteLength(JSON.stringify(result));
}

const LARGE_BASE64 = Buffer.alloc(240 * 1024, 0xab).toString('base64');

describe('fitCheckpoint', () => {
  it('returns small result unchanged', () => {
    const result = createResult({ id: 1 }, 'json');

    const fitted = fitCheckpoint(result, false);

    expect(fitted).toBe(result);
  });

  it('rejects oversized result', () => {
    const result = createResult(LARGE_BASE64, 'base64');

    const fit = () => fitCheckpoint(result, false);

    expect(fit).toThrow(ResponseTooLargeError);
    expect(fit).toThrow(`over the ${CHECKPOINT_LIMIT_BYTES}-byte checkpoint limit`);
  });

  it('truncates base64 on whole groups', () => {
    const result = createResult(LARGE_BASE64, 'base64');

    const fitted = fitCheckpoint(result, true);

    const data = fitted.data as string;
    expect(serializedBytes(fitted)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
    expect(fitted.truncated).toBe(true);
    expect(fitted.bodyEncoding).toBe('base64');
    expect(data.length % 4).toBe(0);
    expect(LARGE_BASE64.startsWith(data)).toBe(true);
    expect(data.length).toBeGreaterThan(RESULT_BUDGET_BYTES - 4 * 1024);
  });

  it('turns oversized JSON into text', () => {
    const result = createResult({ items: Array.from({ length: 60_000 }, (_, index) => index) }, 'json');

    const fitted = fitCheckpoint(result, true);

    expect(serializedBytes(fitted)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
    expect(fitted.bodyEncoding).toBe('text');
    expect(fitted.data).toMatch(/^\{"items":\[0,1,2,/);
  });

  it.each([
    ['escaped control characters', '\u0001'.repeat(100_000)],
    ['multi-byte characters', '€'.repeat(100_000)],
    ['astral characters', '😀'.repeat(70_000)],
  ])('fits text of %s', (_case, text) => {
    const result = createResult(text, 'text');

    const fitted = fitCheckpoint(result, true);

    expect(serializedBytes(fitted)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
    expect(fitted.truncated).toBe(true);
    expect(text.startsWith(fitted.data as string)).toBe(true);
  });

  it.each(['', 'a'])('keeps surrogate pairs whole after %j', (prefix) => {
    const fittedTexts: string[] = [];

    // Each emoji takes 4 bytes of UTF-8, so 70 000 of them are over the budget.
    for (let count = 70_000; count < 71_000; count += 97) {
      const fitted = fitCheckpoint(createResult(prefix + '😀'.repeat(count), 'text'), true);
      fittedTexts.push(fitted.data as string);
    }

    const lastCodeUnits = fittedTexts.map((text) => text.charCodeAt(text.length - 1));
    expect(fittedTexts.filter((text) => text.length === 0)).toEqual([]);
    expect(lastCodeUnits.filter((codeUnit) => codeUnit >= 0xd800 && codeUnit <= 0xdbff)).toEqual([]);
  });
});

describe('fitCheckpoint size shortcut', () => {
  /** Largest body that the shortcut accepts for the result shape of createResult. */
  function largestShortcutBody(): number {
    const envelope = serializedBytes(createResult(null, 'text'));
    return Math.floor((RESULT_BUDGET_BYTES - envelope) / 6);
  }

  it('holds for control-character text', () => {
    const bodyBytes = largestShortcutBody();
    const result = createResult('\u0001'.repeat(bodyBytes), 'text');

    const fitted = fitCheckpoint(result, false, bodyBytes);

    expect(fitted).toBe(result);
    expect(serializedBytes(fitted)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
  });

  it('holds for expanding JSON numbers', () => {
    const count = Math.floor(largestShortcutBody() / 5);
    const raw = `[${Array.from({ length: count }, () => '1e20').join(',')}]`;
    const result = createResult(JSON.parse(raw) as JsonValue, 'json');

    const fitted = fitCheckpoint(result, false, Buffer.byteLength(raw));

    expect(fitted).toBe(result);
    expect(serializedBytes(fitted)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
  });

  it('measures when the shortcut cannot decide', () => {
    const bodyBytes = largestShortcutBody() + 10;
    const result = createResult('\u0001'.repeat(bodyBytes), 'text');

    const fit = () => fitCheckpoint(result, false, bodyBytes);

    expect(fit).toThrow(ResponseTooLargeError);
  });
});
