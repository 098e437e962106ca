const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';

/** `Sun, 06 Nov 1994 08:49:37 GMT` and the obsolete `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 9110, section 5.6.7). */
const ZONED_HTTP_DATE = new RegExp(`^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT|${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT)$`);

/** The obsolete asctime form `Sun Nov  6 08:49:37 1994`, which is UTC although it names no zone. */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (?: \\d|\\d{2}) ${TIME} \\d{4}$`);

/**
 * Parses a `Retry-After` header in either form, delta-seconds (`120`) or an
 * HTTP-date, into whole seconds from `now`. Returns undefined for a missing or
 * invalid value; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }

  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number.parseInt(text, 10);
  }

  // Date.parse in V8 also accepts text such as "1.5" or "-5" (as dates in 2001) and reads
  // the asctime form in the local time zone, so only the HTTP-date forms reach it.
  let date = Number.NaN;
  if (ZONED_HTTP_DATE.test(text)) {
    date = Date.parse(text);
  } else if (ASCTIME_DATE.test(text)) {
    date = Date.parse(`${text} GMT`);
  }

  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((date - now) / 1000));
}
