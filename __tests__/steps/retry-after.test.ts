import { parseRetryAfter } from '../../src/steps/http/retry-after';

const NOW = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    ['0', 0],
    [' 7 ', 7],
    ['007', 7],
  ])('reads delta-seconds %j', (header, expected) => {
    const seconds = parseRetryAfter(header, NOW);

    expect(seconds).toBe(expected);
  });

  // asctime names no zone but is UTC; a parser that used local time fails here when TZ is not UTC.
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:51:37 GMT'],
    ['RFC 850 date', 'Sunday, 06-Nov-94 08:51:37 GMT'],
    ['asctime date', 'Sun Nov  6 08:51:37 1994'],
  ])('reads %s', (_form, header) => {
    const seconds = parseRetryAfter(header, NOW);

    expect(seconds).toBe(120);
  });

  it('rounds partial seconds up', () => {
    const seconds = parseRetryAfter('Sun, 06 Nov 1994 08:49:40 GMT', NOW + 500);

    expect(seconds).toBe(3);
  });

  it('returns 0 for past date', () => {
    const seconds = parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', NOW);

    expect(seconds).toBe(0);
  });

  it.each([undefined, '', 'soon', '1.5', '-5', '+5', '1e3', '2030-01-01', '12 monkeys', 'sun, 06 nov 1994 08:51:37 gmt'])(
    'ignores invalid value %j',
    (header) => {
      const seconds = parseRetryAfter(header, NOW);

      expect(seconds).toBeUndefined();
    },
  );
});

