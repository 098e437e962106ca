import type { isIP as NetIsIP } from 'node:net';

/**
 * Reason why an address is blocked. Each rule covers one or more ranges of the IANA
 * IPv4 and IPv6 special-purpose address registries (RFC 6890) or the IANA IPv6
 * address space registry.
 */
export type BlockRule =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'ietf-protocol-assignments'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'unique-local'
  | 'site-local'
  | 'nat64-local-use';

/** Plain-English name of the addresses each rule blocks, used in error messages. */
export const BLOCK_RULE_DESCRIPTIONS: Readonly<Record<BlockRule, string>> = {
  unspecified: 'unspecified addresses',
  loopback: 'loopback addresses',
  private: 'private-use addresses',
  'carrier-grade-nat': 'carrier-grade NAT addresses',
  'link-local': 'link-local addresses',
  'ietf-protocol-assignments': 'IETF protocol assignment addresses',
  documentation: 'documentation addresses',
  benchmarking: 'benchmarking addresses',
  multicast: 'multicast addresses',
  broadcast: 'broadcast addresses',
  reserved: 'reserved addresses',
  'unique-local': 'unique local addresses',
  'site-local': 'deprecated site-local addresses',
  'nat64-local-use': 'local-use NAT64 addresses',
};

/** IPv6 form that carries an IPv4 address in some of its bits. */
export type IPv4Embedding = 'ipv4-mapped' | 'ipv4-compatible' | 'nat64' | '6to4' | 'teredo';

/** Human-readable name of each embedding, used in error messages. */
export const IPV4_EMBEDDING_NAMES: Readonly<Record<IPv4Embedding, string>> = {
  'ipv4-mapped': 'IPv4-mapped IPv6 (::ffff:0:0/96)',
  'ipv4-compatible': 'IPv4-compatible IPv6 (::/96)',
  nat64: 'NAT64 (64:ff9b::/96)',
  '6to4': '6to4 (2002::/16)',
  teredo: 'Teredo (2001::/32)',
};

/** Outcome of {@link classifyAddress}. */
export type AddressClassification =
  | { blocked: false }
  | {
      blocked: true;
      rule: BlockRule;

      /** The special-purpose range that matched, in CIDR notation, such as `127.0.0.0/8`. */
      range: string;

      /** The blocked IPv4 address inside an IPv6 address, when the rule matched that IPv4 address. */
      embeddedIPv4?: string;

      /** IPv6 form that carries {@link embeddedIPv4}. */
      embedding?: IPv4Embedding;
    };

/** A parsed IP address in network byte order (4 bytes for IPv4, 16 for IPv6). */
export interface IPAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** An IPv4 or IPv6 network in CIDR notation. */
export interface Cidr {
  family: 4 | 6;

  /** Network address in network byte order. Bits after the prefix are zero. */
  bytes: Uint8Array;

  /** Number of leading bits that an address must share with {@link bytes}: 0–32 for IPv4, 0–128 for IPv6. */
  prefixLength: number;

  /** Canonical text such as `10.0.0.0/8` or `fd00::/8`. */
  text: string;
}

let netIsIP: typeof NetIsIP | undefined;

/** `net.isIP`, with `node:net` loaded on first use because the HTTP client loads it only with the first request. */
function isIP(text: string): number {
  netIsIP ??= (require('node:net') as typeof import('node:net')).isIP;
  return netIsIP(text);
}

/**
 * Parses an IPv4 address in dotted-decimal form or an IPv6 address, as `net.isIP`
 * accepts them. Square brackets around an IPv6 address and a zone id (`fe80::1%eth0`)
 * are removed. Returns `undefined` for anything else, including the other numeric IPv4
 * forms that {@link normalizeIPv4} accepts.
 */
export function parseIPAddress(text: string): IPAddress | undefined {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(unbracketed);
  if (family === 4 && unbracketed === text) {
    return { family: 4, bytes: parseDottedDecimal(unbracketed) };
  }
  if (family !== 6) {
    return undefined;
  }

  const zoneStart = unbracketed.indexOf('%');
  const withoutZone = zoneStart === -1 ? unbracketed : unbracketed.slice(0, zoneStart);
  return { family: 6, bytes: parseIPv6(withoutZone) };
}

/** Formats an address as dotted decimal (IPv4) or in the compressed form of RFC 5952 (IPv6), without brackets or zone id. */
export function formatIPAddress(address: IPAddress): string {
  return address.family === 4 ? formatIPv4(address.bytes, 0) : formatIPv6(address.bytes);
}

/**
 * Converts a numeric IPv4 host into dotted decimal, following the IPv4 parser of the
 * WHATWG URL Standard. The host has one to four parts separated by dots. Each part is
 * decimal, octal with a leading `0` or hexadecimal with `0x`, and the last part fills
 * the remaining bytes. One trailing dot is allowed. For example, `2130706433`,
 * `0177.0.0.1`, `0x7f.0.0.1` and `127.1` all give `127.0.0.1`.
 *
 * @returns The dotted-decimal address, or `undefined` when the text is not a numeric IPv4 form or a part is out of range.
 */
export function normalizeIPv4(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length > 1 && parts.at(-1) === '') {
    parts.pop();
  }
  if (parts.length > 4) {
    return undefined;
  }

  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIPv4Part(part);
    if (value === undefined) {
      return undefined;
    }
    numbers.push(value);
  }

  // Each leading part is one byte, and the last part fills the bytes that are left.
  const last = numbers.pop() as number;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) {
    return undefined;
  }

  let value = last;
  numbers.forEach((byte, index) => {
    value += byte * 256 ** (3 - index);
  });
  const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  return formatIPv4(bytes, 0);
}

/**
 * Decides whether a connection to `ip` must be blocked because the address is not a
 * public unicast address. IPv6 forms that embed an IPv4 address (IPv4-mapped,
 * IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 and Teredo) are classified by the
 * embedded IPv4 address, and both Teredo addresses (server and client) are checked.
 *
 * @param ip - IPv4 or IPv6 literal, with or without brackets and zone id. The numeric
 *   IPv4 forms of {@link normalizeIPv4} are accepted too.
 * @throws TypeError when `ip` is not an IP address.
 */
export function classifyAddress(ip: string): AddressClassification {
  const address = parseIPAddressOrNumericIPv4(ip);
  if (address === undefined) {
    throw new TypeError(`Invalid IP address "${ip}": expected an IPv4 or IPv6 literal such as 192.0.2.1 or 2001:db8::1.`);
  }

  if (address.family === 4) {
    return classifyIPv4(address.bytes);
  }
  return classifyIPv6(address.bytes);
}

/**
 * Parses a comma-separated list of CIDRs such as `10.0.0.0/8,fd00::/8`. Spaces around
 * entries and empty entries are ignored. An address without `/prefix` means that one
 * address (`/32` or `/128`).
 *
 * @param variableName - Name of the setting the text came from, used in error messages.
 * @throws Error naming the variable and the invalid entry, when an entry is not an
 *   address, has an invalid prefix length or has bits set after the prefix.
 */
export function parseCidrList(text: string, variableName: string): Cidr[] {
  const cidrs: Cidr[] = [];
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') {
      continue;
    }

    const result = parseCidr(entry);
    if (typeof result === 'string') {
      throw new Error(
        `Invalid ${variableName} entry "${entry}": ${result}. ` +
          'Use CIDR notation separated by commas, such as 10.0.0.0/8,fd00::/8.',
      );
    }
    cidrs.push(result);
  }
  return cidrs;
}

/**
 * Tests whether `ip` lies inside `cidr`. An address of the other family, including an
 * IPv4-mapped IPv6 address tested against an IPv4 CIDR, is not contained.
 *
 * @param ip - IP literal as {@link parseIPAddress} accepts it. Returns false for any other text.
 */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const address = parseIPAddress(ip);
  if (address === undefined || address.family !== cidr.family) {
    return false;
  }
  return prefixMatches(cidr.bytes, address.bytes, cidr.prefixLength);
}

// Ranges are checked in order and the first match wins, so a narrow range
// (255.255.255.255/32) comes before the wider range that contains it (240.0.0.0/4).
const IPV4_BLOCKED_RANGE_TEXT: ReadonlyArray<[string, BlockRule]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
  ['127.0.0.0/8', 'loopback'],
  // Contains the cloud metadata endpoint 169.254.169.254.
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'ietf-protocol-assignments'],
  ['192.0.2.0/24', 'documentation'],
  // Former 6to4 relay anycast prefix, deprecated by RFC 7526.
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

// The prefixes that embed an IPv4 address (::/96, ::ffff:0:0/96, 64:ff9b::/96, 2002::/16
// and 2001::/32) are handled before this table, so only the ranges below apply to them.
const IPV6_BLOCKED_RANGE_TEXT: ReadonlyArray<[string, BlockRule]> = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'nat64-local-use'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:db8::/32', 'documentation'],
  // ORCHID and ORCHIDv2 identifiers are not routable.
  ['2001:10::/28', 'reserved'],
  ['2001:20::/28', 'reserved'],
  ['3fff::/20', 'documentation'],
  // Contains the IPv6 metadata endpoint of Amazon EC2, fd00:ec2::254.
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
  // Everything outside the global unicast block 2000::/3 that no rule above names is
  // "Reserved by IETF" in the IANA IPv6 address space registry.
  ['::/8', 'reserved'],
  ['100::/8', 'reserved'],
  ['200::/7', 'reserved'],
  ['400::/6', 'reserved'],
  ['800::/5', 'reserved'],
  ['1000::/4', 'reserved'],
  ['4000::/3', 'reserved'],
  ['6000::/3', 'reserved'],
  ['8000::/3', 'reserved'],
  ['a000::/3', 'reserved'],
  ['c000::/3', 'reserved'],
  ['e000::/4', 'reserved'],
  ['f000::/5', 'reserved'],
  ['f800::/6', 'reserved'],
  ['fe00::/9', 'reserved'],
];

interface RangeRule {
  cidr: Cidr;
  rule: BlockRule;
}

let ipv4BlockedRanges: RangeRule[] | undefined;
let ipv6BlockedRanges: RangeRule[] | undefined;

/** Parses the range tables on first use, which keeps `node:net` and the parsing out of the cold start. */
function blockedRanges(family: 4 | 6): RangeRule[] {
  if (family === 4) {
    ipv4BlockedRanges ??= buildRangeTable(IPV4_BLOCKED_RANGE_TEXT);
    return ipv4BlockedRanges;
  }
  ipv6BlockedRanges ??= buildRangeTable(IPV6_BLOCKED_RANGE_TEXT);
  return ipv6BlockedRanges;
}

function buildRangeTable(entries: ReadonlyArray<[string, BlockRule]>): RangeRule[] {
  return entries.map(([text, rule]) => {
    const cidr = parseCidr(text);
    if (typeof cidr === 'string') {
      throw new Error(`Invalid built-in range ${text}: ${cidr}.`);
    }
    return { cidr, rule };
  });
}

function classifyIPv4(bytes: Uint8Array): AddressClassification {
  const match = blockedRanges(4).find(({ cidr }) => prefixMatches(cidr.bytes, bytes, cidr.prefixLength));
  if (match === undefined) {
    return { blocked: false };
  }
  return { blocked: true, rule: match.rule, range: match.cidr.text };
}

function classifyIPv6(bytes: Uint8Array): AddressClassification {
  const isUnspecified = bytes.every((byte) => byte === 0);
  const isLoopback = bytes.subarray(0, 15).every((byte) => byte === 0) && bytes[15] === 1;
  if (isUnspecified || isLoopback) {
    return classifyByTable(bytes);
  }

  const embedded = findEmbeddedIPv4(bytes);
  if (embedded.length > 0) {
    return classifyEmbeddedIPv4(embedded);
  }

  return classifyByTable(bytes);
}

function classifyByTable(bytes: Uint8Array): AddressClassification {
  const match = blockedRanges(6).find(({ cidr }) => prefixMatches(cidr.bytes, bytes, cidr.prefixLength));
  if (match === undefined) {
    return { blocked: false };
  }
  return { blocked: true, rule: match.rule, range: match.cidr.text };
}

// An IPv6 address that embeds only public IPv4 addresses is not blocked, because its
// traffic can reach only those public hosts, directly or through a relay.
function classifyEmbeddedIPv4(embedded: Array<{ embedding: IPv4Embedding; bytes: Uint8Array }>): AddressClassification {
  for (const { embedding, bytes } of embedded) {
    const result = classifyIPv4(bytes);
    if (result.blocked) {
      return { ...result, embeddedIPv4: formatIPv4(bytes, 0), embedding };
    }
  }
  return { blocked: false };
}

function findEmbeddedIPv4(bytes: Uint8Array): Array<{ embedding: IPv4Embedding; bytes: Uint8Array }> {
  const last32Bits = bytes.slice(12, 16);

  if (isZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return [{ embedding: 'ipv4-mapped', bytes: last32Bits }];
  }
  if (isZero(bytes, 0, 12)) {
    return [{ embedding: 'ipv4-compatible', bytes: last32Bits }];
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && isZero(bytes, 4, 12)) {
    return [{ embedding: 'nat64', bytes: last32Bits }];
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    return [{ embedding: '6to4', bytes: bytes.slice(2, 6) }];
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x00 && bytes[3] === 0x00) {
    // RFC 4380: bits 32–63 are the Teredo server, and the last 32 bits are the client's
    // public IPv4 address with every bit inverted.
    const client = last32Bits.map((byte) => byte ^ 0xff);
    return [
      { embedding: 'teredo', bytes: client },
      { embedding: 'teredo', bytes: bytes.slice(4, 8) },
    ];
  }
  return [];
}

function parseIPAddressOrNumericIPv4(text: string): IPAddress | undefined {
  const address = parseIPAddress(text);
  if (address !== undefined) {
    return address;
  }

  const normalized = normalizeIPv4(text);
  return normalized === undefined ? undefined : parseIPAddress(normalized);
}

/** Parses one CIDR entry, or returns the reason why it is invalid. */
function parseCidr(entry: string): Cidr | string {
  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);

  if (addressText.includes('%') || addressText.includes('[')) {
    return `"${addressText}" must be written without brackets or zone id`;
  }
  const address = parseIPAddress(addressText);
  if (address === undefined) {
    return `"${addressText}" is not an IPv4 address in dotted decimal or an IPv6 address`;
  }

  const maxPrefixLength = address.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) {
    return `the prefix length "${prefixText}" must be a whole number from 0 to ${maxPrefixLength}`;
  }
  const prefixLength = prefixText === undefined ? maxPrefixLength : Number(prefixText);
  if (prefixLength > maxPrefixLength) {
    return `the prefix length ${prefixLength} is larger than ${maxPrefixLength}`;
  }

  const network = maskToPrefix(address.bytes, prefixLength);
  const networkText = formatIPAddress({ family: address.family, bytes: network });
  if (!network.every((byte, index) => byte === address.bytes[index])) {
    return (
      `bits are set after the /${prefixLength} prefix, so write ${networkText}/${prefixLength} for the network ` +
      `or ${formatIPAddress(address)}/${maxPrefixLength} for the single address`
    );
  }

  return { family: address.family, bytes: network, prefixLength, text: `${networkText}/${prefixLength}` };
}

function prefixMatches(network: Uint8Array, bytes: Uint8Array, prefixLength: number): boolean {
  if (network.length !== bytes.length) {
    return false;
  }

  const masked = maskToPrefix(bytes, prefixLength);
  return masked.every((byte, index) => byte === network[index]);
}

function maskToPrefix(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((byte, index) => {
    const bitsInByte = Math.min(Math.max(prefixLength - index * 8, 0), 8);
    const mask = (0xff << (8 - bitsInByte)) & 0xff;
    return byte & mask;
  });
}

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  return bytes.subarray(start, end).every((byte) => byte === 0);
}

function parseIPv4Part(part: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) {
    // The WHATWG URL parser reads a bare `0x` as zero.
    return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  }
  if (/^0[0-7]+$/.test(part)) {
    return Number.parseInt(part, 8);
  }
  if (/^(?:0|[1-9]\d*)$/.test(part)) {
    return Number.parseInt(part, 10);
  }
  return undefined;
}

/** Parses dotted decimal that `net.isIP` has already accepted. */
function parseDottedDecimal(text: string): Uint8Array {
  return new Uint8Array(text.split('.').map((part) => Number.parseInt(part, 10)));
}

/** Parses an IPv6 address without zone id that `net.isIP` has already accepted. */
function parseIPv6(text: string): Uint8Array {
  const gap = text.indexOf('::');
  const headGroups = parseIPv6Groups(gap === -1 ? text : text.slice(0, gap));
  const tailGroups = gap === -1 ? [] : parseIPv6Groups(text.slice(gap + 2));

  const groups = new Array<number>(8).fill(0);
  headGroups.forEach((group, index) => {
    groups[index] = group;
  });
  tailGroups.forEach((group, index) => {
    groups[8 - tailGroups.length + index] = group;
  });

  return new Uint8Array(groups.flatMap((group) => [group >> 8, group & 0xff]));
}

function parseIPv6Groups(text: string): number[] {
  if (text === '') {
    return [];
  }

  return text.split(':').flatMap((part) => {
    if (part.includes('.')) {
      const ipv4 = parseDottedDecimal(part);
      return [((ipv4[0] ?? 0) << 8) | (ipv4[1] ?? 0), ((ipv4[2] ?? 0) << 8) | (ipv4[3] ?? 0)];
    }
    return [Number.parseInt(part, 16)];
  });
}

function formatIPv4(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

/** Formats 16 bytes as RFC 5952 text: lower-case hex, and `::` for the longest run of two or more zero groups. */
function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push(((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0));
  }

  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) {
      length++;
    }
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) {
    return hex.join(':');
  }
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
