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

  const date = Date.parse(text);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((date - now) / 1000));
}
