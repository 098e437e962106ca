import { domainToASCII } from 'node:url';

import { formatIPAddress, normalizeIPv4, parseIPAddress, type IPAddress } from './address-classifier';

/**
 * One entry of `ALLOWED_HOSTS`. An exact entry is a host name in lower-case ASCII
 * (IDNA) without a trailing dot, or an IP address in canonical form without brackets.
 * A wildcard entry `*.example.com` is stored with `suffix` `example.com`.
 */
export type HostPattern =
  | { kind: 'exact'; host: string; text: string }
  | { kind: 'wildcard'; suffix: string; text: string };

/**
 * Parses the comma-separated `ALLOWED_HOSTS` setting. Entries are trimmed and
 * lower-cased, and empty entries are ignored. An entry is an exact host
 * (`api.example.com`), an IP address in dotted decimal or IPv6 (with or without
 * brackets), or a wildcard `*.example.com`.
 *
 * A wildcard must name at least two labels after `*.`, so `*.com` and `*` are invalid
 * because they would open a whole top-level domain or every host.
 *
 * @returns The patterns, or `undefined` when the text is missing, blank or has only
 *   empty entries, which means that every host is allowed.
 * @throws Error naming `ALLOWED_HOSTS` and the invalid entry.
 */
export function parseAllowedHosts(text: string | undefined): HostPattern[] | undefined {
  if (text === undefined) {
    return undefined;
  }

  const patterns: HostPattern[] = [];
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry !== '') {
      patterns.push(parseHostPattern(entry));
    }
  }
  return patterns.length > 0 ? patterns : undefined;
}

/**
 * Tests whether `host` matches one of the patterns. Host names are compared without
 * case and without one trailing dot, and Unicode names are compared in their IDNA
 * ASCII form. `*.example.com` matches `a.example.com` and `a.b.example.com` but not
 * `example.com`. An IP address, including the numeric IPv4 forms of
 * {@link normalizeIPv4}, matches only an exact IP entry of the same address.
 *
 * @param host - Host name or IP literal, as in `URL.hostname` (IPv6 in brackets or not).
 */
export function isHostAllowed(host: string, patterns: readonly HostPattern[]): boolean {
  const address = parseHostAddress(host);
  if (address !== undefined) {
    const canonical = formatIPAddress(address);
    return patterns.some((pattern) => pattern.kind === 'exact' && pattern.host === canonical);
  }

  const name = normalizeHostName(host);
  if (name === undefined) {
    return false;
  }

  return patterns.some((pattern) => {
    if (pattern.kind === 'exact') {
      return pattern.host === name;
    }
    return name.endsWith(`.${pattern.suffix}`);
  });
}

function parseHostPattern(entry: string): HostPattern {
  const text = entry.toLowerCase();

  if (/[/?#@\\\s]/.test(text)) {
    throw invalidEntry(entry, 'write the host only, without scheme, path, query or credentials, such as api.example.com');
  }
  if (text.includes('%')) {
    throw invalidEntry(entry, 'remove the % part, because zone ids and percent-encoding are not valid in a host');
  }

  const address = parseIPAddress(text);
  if (address !== undefined) {
    return { kind: 'exact', host: formatIPAddress(address), text };
  }

  const numericIPv4 = normalizeIPv4(text);
  if (numericIPv4 !== undefined) {
    throw invalidEntry(entry, `write IPv4 addresses in dotted decimal, such as ${numericIPv4}`);
  }

  if (text.includes(':')) {
    throw invalidEntry(entry, 'write the host without a port, such as api.example.com');
  }

  if (text.includes('*')) {
    return parseWildcard(entry, text);
  }

  const host = normalizeHostName(text);
  if (host === undefined) {
    throw invalidEntry(entry, 'it is not a valid host name');
  }
  return { kind: 'exact', host, text };
}

function parseWildcard(entry: string, text: string): HostPattern {
  if (text === '*') {
    throw invalidEntry(entry, 'to allow every host, leave ALLOWED_HOSTS empty or unset');
  }
  if (!text.startsWith('*.') || text.slice(2).includes('*')) {
    throw invalidEntry(entry, '* is valid only as the whole first label, as in *.example.com');
  }

  const suffix = normalizeHostName(text.slice(2));
  if (suffix === undefined) {
    throw invalidEntry(entry, `"${text.slice(2)}" is not a valid host name`);
  }
  // NOTE: without the Public Suffix List this check cannot reject a two-label public
  // suffix such as *.co.uk, which opens every site registered under it.
  if (!suffix.includes('.')) {
    throw invalidEntry(entry, 'a wildcard needs at least two labels after *., such as *.example.com, so that it cannot open a whole top-level domain');
  }

  return { kind: 'wildcard', suffix, text };
}

/** Lower-cases, removes one trailing dot and converts to IDNA ASCII. Returns `undefined` for an invalid name. */
function normalizeHostName(host: string): string | undefined {
  const withoutDot = host.endsWith('.') ? host.slice(0, -1) : host;
  if (withoutDot.includes('%')) {
    return undefined;
  }

  const ascii = domainToASCII(withoutDot);
  if (ascii === '' || ascii.length > 253) {
    return undefined;
  }

  const labels = ascii.split('.');
  const validLabels = labels.every((label) => /^[a-z0-9_-]{1,63}$/.test(label));
  return validLabels ? ascii : undefined;
}

function parseHostAddress(host: string): IPAddress | undefined {
  const address = parseIPAddress(host);
  if (address !== undefined) {
    return address;
  }

  const normalized = normalizeIPv4(host);
  return normalized === undefined ? undefined : parseIPAddress(normalized);
}

function invalidEntry(entry: string, reason: string): Error {
  return new Error(`Invalid ALLOWED_HOSTS entry "${entry}": ${reason}.`);
}
