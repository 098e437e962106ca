/** Text that replaces a credential in headers, URLs, logs and errors. */
export const REDACTED = '[REDACTED]';

/** Headers that always carry credentials. `REDACT_HEADERS` adds more. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

/** Query parameter names that look like credentials: any name that contains one of these words. */
const CREDENTIAL_PARAMETER = /token|key|signature|password|passwd|secret|credential/i;

/** Reads `REDACT_HEADERS` (comma-separated header names) into the full set of redacted header names. */
export function redactedHeaderNames(redactHeadersVariable: string | undefined): Set<string> {
  const extra = (redactHeadersVariable ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);

  return new Set([...DEFAULT_REDACTED_HEADERS, ...extra]);
}

/** Copies headers with lower-cased names, replacing the values of redacted headers. */
export function redactHeaders(headers: Record<string, string>, redacted: ReadonlySet<string>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowerName = name.toLowerCase();
    copy[lowerName] = redacted.has(lowerName) ? REDACTED : value;
  }
  return copy;
}

/**
 * Returns the URL as text with user info and credential-looking query parameters
 * (names containing token, key, signature, password, secret or credential) masked.
 * Text that is not a URL is returned as `[invalid URL]` so that it cannot leak.
 */
export function maskUrl(url: string | URL): string {
  if (url instanceof URL && url.search === '' && url.username === '' && url.password === '') {
    return url.href;
  }

  let parsed: URL;
  try {
    parsed = new URL(url.toString());
  } catch {
    return '[invalid URL]';
  }

  if (parsed.username || parsed.password) {
    parsed.username = 'REDACTED';
    parsed.password = '';
  }

  for (const name of new Set(parsed.searchParams.keys())) {
    if (CREDENTIAL_PARAMETER.test(name)) {
      parsed.searchParams.set(name, REDACTED);
    }
  }
  return parsed.toString();
}
