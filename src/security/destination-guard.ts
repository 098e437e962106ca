import { ConnectionError, DestinationBlockedError } from '../errors';
import {
  BLOCK_RULE_DESCRIPTIONS,
  IPV4_EMBEDDING_NAMES,
  cidrContains,
  classifyAddress,
  formatIPAddress,
  normalizeIPv4,
  parseCidrList,
  parseIPAddress,
  type AddressClassification,
  type BlockRule,
  type Cidr,
  type IPAddress,
} from './address-classifier';
import { isHostAllowed, parseAllowedHosts, type HostPattern } from './allowlist';

/** Rules that decide which destinations {@link checkDestination} lets through. */
export interface GuardPolicy {
  /** Hosts that may be called. When set, every other host is blocked. Default `undefined`: every host. */
  allowedHosts?: HostPattern[];

  /**
   * `true` opens every blocked address range, and a list opens only the addresses inside
   * those CIDRs. An allowed host that resolves to a blocked address still needs this.
   */
  allowPrivateNetworks: boolean | Cidr[];

  /** URL schemes without the colon, such as `['https', 'http']`. */
  allowedSchemes: string[];
}

/** Resolves a host name to all of its addresses, in the order the resolver returned them. */
export type LookupFunction = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** A destination that passed the guard, with the address that the request must connect to. */
export interface CheckedDestination {
  url: URL;

  /** `URL.hostname` without the brackets of an IPv6 literal. */
  host: string;

  /** Checked IP address. Connecting to it, not to `host`, prevents a second lookup that DNS rebinding could answer differently. */
  address: string;

  family: 4 | 6;
}

/** Rule named in `DestinationBlockedError.details.rule`. */
export type GuardRule = BlockRule | 'scheme-not-allowed' | 'host-not-allowed' | 'missing-host';

/** Schemes that the HTTP step supports and `ALLOWED_SCHEMES` may list. */
export const SUPPORTED_SCHEMES: readonly string[] = ['https', 'http'];

/** `ALLOWED_SCHEMES` when the variable is unset or blank. */
export const DEFAULT_ALLOWED_SCHEMES: readonly string[] = ['https', 'http'];

/**
 * Checks the scheme, the host allowlist and every address of the host, and returns the
 * first address. An IP literal host, including the numeric IPv4 forms of
 * {@link normalizeIPv4} and a bracketed IPv6 address, is not looked up.
 *
 * @param lookup - Resolver for host names. Default: `dns.promises.lookup(host, { all: true, order: 'verbatim' })`,
 *   which uses the operating system resolver like `http.request` does.
 * @throws DestinationBlockedError when the scheme or host is not allowed, or when any address of the host is blocked.
 * @throws ConnectionError (retryable, `requestSent: false`) when the lookup fails or returns no address.
 */
export async function checkDestination(
  url: URL,
  policy: GuardPolicy,
  lookup: LookupFunction = lookupAllAddresses,
): Promise<CheckedDestination> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const redactedUrl = redactUrl(url);

  const scheme = url.protocol.replace(/:$/, '');
  if (!policy.allowedSchemes.includes(scheme)) {
    throw blocked(host, 'scheme-not-allowed', redactedUrl, describeSchemeRejection(scheme, policy.allowedSchemes));
  }

  if (host === '') {
    throw blocked(host, 'missing-host', redactedUrl, 'the URL has no host.');
  }

  if (policy.allowedHosts !== undefined && !isHostAllowed(host, policy.allowedHosts)) {
    const listed = policy.allowedHosts.map((pattern) => pattern.text).join(', ');
    throw blocked(host, 'host-not-allowed', redactedUrl, `the host is not in ALLOWED_HOSTS (${listed}). Add it to ALLOWED_HOSTS to allow it.`);
  }

  const literal = parseLiteralHost(host);
  const addresses = literal === undefined ? await resolve(host, lookup, redactedUrl) : [formatIPAddress(literal)];

  const checked: Array<{ address: string; family: 4 | 6 }> = [];
  for (const address of addresses) {
    const family = checkAddress(host, address, literal !== undefined, policy, redactedUrl);
    checked.push({ address, family });
  }

  const first = checked[0] as { address: string; family: 4 | 6 };
  return { url, host, address: first.address, family: first.family };
}

/**
 * Reads the guard policy from the environment.
 *
 * - `ALLOWED_HOSTS`: comma-separated hosts and `*.example.com` wildcards. Default: every host.
 * - `ALLOW_PRIVATE_NETWORKS`: `true`, `false` or a comma-separated CIDR list such as
 *   `10.0.0.0/8,fd00::/8`. Default (unset or blank): `false`.
 * - `ALLOWED_SCHEMES`: comma-separated subset of `https,http`. Default: `https,http`.
 *
 * @throws Error naming the variable and its invalid value, with the valid forms.
 */
export function guardPolicyFromEnvironment(env: NodeJS.ProcessEnv): GuardPolicy {
  const policy: GuardPolicy = {
    allowPrivateNetworks: parseAllowPrivateNetworks(env.ALLOW_PRIVATE_NETWORKS),
    allowedSchemes: parseAllowedSchemes(env.ALLOWED_SCHEMES),
  };

  const allowedHosts = parseAllowedHosts(env.ALLOWED_HOSTS);
  if (allowedHosts !== undefined) {
    policy.allowedHosts = allowedHosts;
  }
  return policy;
}

async function lookupAllAddresses(hostname: string): Promise<Array<{ address: string; family: 4 | 6 }>> {
  const { lookup: dnsLookup } = require('node:dns/promises') as typeof import('node:dns/promises');
  const results = await dnsLookup(hostname, { all: true, order: 'verbatim' });
  return results.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

async function resolve(host: string, lookup: LookupFunction, redactedUrl: string): Promise<string[]> {
  let results: Array<{ address: string }>;
  try {
    results = await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'LOOKUP_FAILED';
    const cause = error instanceof Error ? error : undefined;
    throw new ConnectionError(
      `DNS lookup of ${host} failed with ${code}, so no request was sent. Check the host name in the URL.`,
      { code, requestSent: false, url: redactedUrl },
      cause,
    );
  }

  if (results.length === 0) {
    throw new ConnectionError(`DNS lookup of ${host} returned no address, so no request was sent. Check the host name in the URL.`, {
      code: 'ENOTFOUND',
      requestSent: false,
      url: redactedUrl,
    });
  }
  return results.map((result) => result.address);
}

/** Throws when the address is blocked and not opened by the policy. Returns the address family. */
function checkAddress(host: string, address: string, isLiteral: boolean, policy: GuardPolicy, redactedUrl: string): 4 | 6 {
  const parsed = parseIPAddress(address);
  if (parsed === undefined) {
    throw new TypeError(`The lookup of ${host} returned "${address}", which is not an IP address.`);
  }

  const classification = classifyAddress(address);
  if (!classification.blocked || isOpened(parsed, classification, policy.allowPrivateNetworks)) {
    return parsed.family;
  }

  const message = describeAddressRejection(parsed, classification, isLiteral, policy.allowPrivateNetworks);
  throw blocked(host, classification.rule, redactedUrl, message, address);
}

// An IPv4-mapped address reaches the embedded IPv4 host over a dual-stack socket, so an
// opened IPv4 CIDR opens its mapped form too. The other embeddings (6to4, Teredo, NAT64,
// IPv4-compatible) travel as IPv6 and are opened only by an IPv6 CIDR.
function isOpened(address: IPAddress, classification: AddressClassification, allowPrivateNetworks: boolean | Cidr[]): boolean {
  if (typeof allowPrivateNetworks === 'boolean') {
    return allowPrivateNetworks;
  }

  const text = formatIPAddress(address);
  const mappedIPv4 = classification.blocked && classification.embedding === 'ipv4-mapped' ? classification.embeddedIPv4 : undefined;
  return allowPrivateNetworks.some((cidr) => cidrContains(cidr, text) || (mappedIPv4 !== undefined && cidrContains(cidr, mappedIPv4)));
}

function describeAddressRejection(
  address: IPAddress,
  classification: Extract<AddressClassification, { blocked: true }>,
  isLiteral: boolean,
  allowPrivateNetworks: boolean | Cidr[],
): string {
  const text = formatIPAddress(address);
  const rangeClause = `${BLOCK_RULE_DESCRIPTIONS[classification.rule]} (${classification.range}) are not allowed`;

  let reason: string;
  if (classification.embedding !== undefined && classification.embeddedIPv4 !== undefined) {
    const form = IPV4_EMBEDDING_NAMES[classification.embedding];
    const subject = isLiteral ? 'it' : `it resolves to ${text}, which`;
    reason = `${subject} embeds the IPv4 address ${classification.embeddedIPv4} as ${form}, and ${rangeClause}`;
  } else if (isLiteral) {
    reason = rangeClause;
  } else {
    reason = `it resolves to ${text}, and ${rangeClause}`;
  }

  const opening =
    classification.embedding === 'ipv4-mapped' && classification.embeddedIPv4 !== undefined
      ? `${classification.embeddedIPv4}/32`
      : `${text}/${address.family === 4 ? 32 : 128}`;
  const fix = Array.isArray(allowPrivateNetworks)
    ? `To open it, add ${opening} to ALLOW_PRIVATE_NETWORKS (or set it to true, which opens every private range).`
    : `To open it, set ALLOW_PRIVATE_NETWORKS=${opening} (or true, which opens every private range).`;
  return `${reason}. ${fix}`;
}

function describeSchemeRejection(scheme: string, allowedSchemes: string[]): string {
  const listed = allowedSchemes.join(', ');
  if (SUPPORTED_SCHEMES.includes(scheme)) {
    return `the scheme ${scheme} is not in ALLOWED_SCHEMES (${listed}). Add ${scheme} to ALLOWED_SCHEMES to allow it.`;
  }
  return `the scheme ${scheme} is not in ALLOWED_SCHEMES (${listed}), and only http and https are supported.`;
}

function blocked(host: string, rule: GuardRule, redactedUrl: string, reason: string, address?: string): DestinationBlockedError {
  const name = host === '' ? redactedUrl : host;
  const details = { host, rule, url: redactedUrl, ...(address === undefined ? {} : { address }) };
  return new DestinationBlockedError(`Destination ${name} is blocked: ${reason}`, details);
}

function parseLiteralHost(host: string): IPAddress | undefined {
  const address = parseIPAddress(host);
  if (address !== undefined) {
    return address;
  }

  // The WHATWG URL parser already rewrites these forms for http and https URLs. Other
  // schemes keep them, and a resolver such as getaddrinfo may read them as an address.
  const normalized = normalizeIPv4(host);
  return normalized === undefined ? undefined : parseIPAddress(normalized);
}

/** Origin and path only, because the query string and user info may carry secrets. */
function redactUrl(url: URL): string {
  return url.origin === 'null' ? url.protocol : url.origin + url.pathname;
}

function parseAllowPrivateNetworks(value: string | undefined): boolean | Cidr[] {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false') {
    return false;
  }
  if (text === 'true') {
    return true;
  }

  let cidrs: Cidr[];
  try {
    cidrs = parseCidrList(value ?? '', 'ALLOW_PRIVATE_NETWORKS');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message} ALLOW_PRIVATE_NETWORKS also accepts true, false or an empty value.`, { cause: error });
  }
  return cidrs.length > 0 ? cidrs : false;
}

function parseAllowedSchemes(value: string | undefined): string[] {
  const schemes = (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  if (schemes.length === 0) {
    return [...DEFAULT_ALLOWED_SCHEMES];
  }

  const unsupported = schemes.find((scheme) => !SUPPORTED_SCHEMES.includes(scheme));
  if (unsupported !== undefined) {
    throw new Error(
      `Invalid ALLOWED_SCHEMES value "${value}": "${unsupported}" is not supported. ` +
        `Use a comma-separated list of http and https, such as https (default ${DEFAULT_ALLOWED_SCHEMES.join(',')}).`,
    );
  }
  return [...new Set(schemes)];
}
