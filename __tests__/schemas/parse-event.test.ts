import { parseEvent, SAMPLE_API_URL, type ParseEventResult } from '../../src/schemas/parse-event';

function problemsOf(result: ParseEventResult): Array<{ path: string; message: string }> {
  if (result.ok) {
    throw new Error('expected the event to be rejected');
  }
  return result.problems;
}

function requestOf(result: ParseEventResult) {
  if (!result.ok) {
    throw new Error(`expected a valid event, got ${JSON.stringify(result.problems)}`);
  }
  return result.request;
}

describe('parseEvent defaults', () => {
  it('fills every default for {}', () => {
    const result = parseEvent({});

    const request = requestOf(result);
    expect(request.url).toBe(SAMPLE_API_URL);
    expect(request.method).toBe('GET');
    expect(request.timeoutSeconds).toBe(10);
    expect(request.retry).toEqual({ maxAttempts: 3, initialDelaySeconds: 2, maxDelaySeconds: 30, backoffRate: 2, maxRetryAfterSeconds: 300, unsafe: false });
    expect(request.maxResponseBytes).toBe(200 * 1024);
    expect(request.onLargeResponse).toBe('fail');
    expect(request.maxRedirects).toBe(5);
    expect(request.delaySeconds).toBe(0);
  });

  it('treats a null event as empty', () => {
    const result = parseEvent(null);

    expect(requestOf(result).url).toBe(SAMPLE_API_URL);
  });

  it('uses the configured default URL', () => {
    const result = parseEvent({}, { defaultUrl: 'https://api.example.com/v1' });

    expect(requestOf(result).url).toBe('https://api.example.com/v1');
  });

  it('prefers the event URL', () => {
    const result = parseEvent({ url: 'https://api.example.com/a' }, { defaultUrl: 'https://api.example.com/b' });

    expect(requestOf(result).url).toBe('https://api.example.com/a');
  });

  it('upper-cases the method', () => {
    const result = parseEvent({ method: 'patch' });

    expect(requestOf(result).method).toBe('PATCH');
  });

  it('keeps partial retry settings', () => {
    const result = parseEvent({ retry: { maxAttempts: 5 } });

    expect(requestOf(result).retry.maxAttempts).toBe(5);
    expect(requestOf(result).retry.initialDelaySeconds).toBe(2);
  });

  it('accepts secret header references', () => {
    const result = parseEvent({ headers: { 'x-api-key': { secret: 'prod/api', field: 'key' } } });

    expect(requestOf(result).headers['x-api-key']).toEqual({ secret: 'prod/api', field: 'key' });
  });

  it('accepts JSON and string bodies', () => {
    expect(requestOf(parseEvent({ method: 'POST', body: { a: [1, null, true] } })).body).toEqual({ a: [1, null, true] });
    expect(requestOf(parseEvent({ method: 'POST', body: 'raw text' })).body).toBe('raw text');
  });
});

describe('parseEvent rejections', () => {
  it.each([
    ['url', { url: 'ftp://example.com/file' }, 'http or https'],
    ['url', { url: 'not a url' }, 'absolute URL'],
    ['url', { url: 'https://user:pass@api.example.com/' }, 'user:password'],
    ['method', { method: 'TRACE' }, 'GET'],
    ['timeoutSeconds', { timeoutSeconds: 901 }, '900'],
    ['timeoutSeconds', { timeoutSeconds: 0 }, '0'],
    ['retry.maxAttempts', { retry: { maxAttempts: 11 } }, '10'],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }, '1'],
    ['maxResponseBytes', { maxResponseBytes: 240 * 1024 + 1 }, '245760'],
    ['headers.x-bad', { headers: { 'x-bad': 'a\r\nb' } }, 'CR'],
    ['headers.bad name', { headers: { 'bad name': 'x' } }, 'token'],
    ['query.page', { query: { page: { nested: true } } }, 'expected'],
    ['onLargeResponse', { onLargeResponse: 'ignore' }, 'truncate'],
  ])('rejects %s', (path, event, fragment) => {
    const problems = problemsOf(parseEvent(event));

    const problem = problems.find((candidate) => candidate.path === path);
    expect(problem).toBeDefined();
    expect(problem?.message).toContain(fragment);
  });

  it('rejects unknown keys by name', () => {
    const problems = problemsOf(parseEvent({ ulr: 'https://example.com' }));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('(root)');
    expect(problems[0]?.message).toContain('"ulr"');
  });

  it('rejects unknown nested keys', () => {
    const problems = problemsOf(parseEvent({ retry: { attempts: 3 } }));

    expect(problems[0]?.path).toBe('retry');
    expect(problems[0]?.message).toContain('"attempts"');
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(parseEvent({ method: 'TRACE', timeoutSeconds: -1, extra: 1 }));

    expect(problems.map((problem) => problem.path).sort()).toEqual(['(root)', 'method', 'timeoutSeconds']);
  });

  it('rejects a non-object event', () => {
    const problems = problemsOf(parseEvent('https://example.com'));

    expect(problems[0]?.path).toBe('(root)');
  });
});

describe('parseEvent timing check', () => {
  it('rejects delay and polling over the timeout', () => {
    const problems = problemsOf(parseEvent({ delaySeconds: 600, poll: { timeoutSeconds: 400 } }, { executionTimeoutSeconds: 900 }));

    expect(problems[0]?.path).toBe('poll.timeoutSeconds');
    expect(problems[0]?.message).toContain('delaySeconds (600)');
    expect(problems[0]?.message).toContain('poll.timeoutSeconds (400)');
    expect(problems[0]?.message).toContain('900 s');
  });

  it('rejects a delay alone over the timeout', () => {
    const problems = problemsOf(parseEvent({ delaySeconds: 900 }, { executionTimeoutSeconds: 900 }));

    expect(problems[0]?.path).toBe('delaySeconds');
  });

  it('accepts a delay that fits', () => {
    const result = parseEvent({ delaySeconds: 300, poll: { timeoutSeconds: 300 } }, { executionTimeoutSeconds: 900 });

    expect(result.ok).toBe(true);
  });
});
