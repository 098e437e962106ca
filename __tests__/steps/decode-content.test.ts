import { decodeContent, JsonParseFailed } from '../../src/steps/http/decode-content';

const NOT_UTF8 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]);

describe('decodeContent', () => {
  it('returns null for empty body', () => {
    const content = decodeContent(Buffer.alloc(0), 'application/json', false);

    expect(content).toEqual({ data: null, bodyEncoding: 'none' });
  });

  it.each(['application/json', 'application/problem+json', 'APPLICATION/JSON ; charset=utf-8'])('parses %s', (contentType) => {
    const content = decodeContent(Buffer.from('{"a":[1,2]}'), contentType, false);

    expect(content).toEqual({ data: { a: [1, 2] }, bodyEncoding: 'json' });
  });

  it('parses JSON in declared charset', () => {
    const bytes = Buffer.from('{"name":"Zoë"}', 'latin1');

    const content = decodeContent(bytes, 'application/json; charset=iso-8859-1', false);

    expect(content.data).toEqual({ name: 'Zoë' });
  });

  it('names content type in JSON error', () => {
    const decode = () => decodeContent(Buffer.from('{"ok": tru'), 'application/vnd.api+json', false);

    expect(decode).toThrow(JsonParseFailed);
    expect(decode).toThrow('content-type "application/vnd.api+json"');
  });

  it('rejects JSON with unknown charset', () => {
    const decode = () => decodeContent(Buffer.from('{}'), 'application/json; charset=x-klingon', false);

    expect(decode).toThrow('unknown charset "x-klingon"');
  });

  it('returns truncated JSON as text', () => {
    const content = decodeContent(Buffer.from('{"items": [1, 2'), 'application/json', true);

    expect(content).toEqual({ data: '{"items": [1, 2', bodyEncoding: 'text' });
  });

  it.each([
    ['text/plain; charset=iso-8859-1', Buffer.from('déjà vu', 'latin1'), 'déjà vu'],
    ['text/html', Buffer.from('<p>naïve</p>'), '<p>naïve</p>'],
    ['application/atom+xml', Buffer.from('<feed/>'), '<feed/>'],
    ['application/x-www-form-urlencoded', Buffer.from('a=1&b=2'), 'a=1&b=2'],
    [undefined, Buffer.from('plain UTF-8 ✓'), 'plain UTF-8 ✓'],
  ])('decodes %s as text', (contentType, bytes, expected) => {
    const content = decodeContent(bytes, contentType, false);

    expect(content).toEqual({ data: expected, bodyEncoding: 'text' });
  });

  it.each([
    ['image/png', NOT_UTF8],
    ['application/octet-stream', Buffer.from('looks like text')],
    [undefined, NOT_UTF8],
    ['text/plain; charset=x-klingon', Buffer.from('qapla')],
  ])('returns %s as base64', (contentType, bytes) => {
    const content = decodeContent(bytes, contentType, false);

    expect(content).toEqual({ data: bytes.toString('base64'), bodyEncoding: 'base64' });
  });
});
