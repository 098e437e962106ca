import { ConnectionError, DestinationBlockedError } from '../../src/errors';
import { parseCidrList } from '../../src/security/address-classifier';
import { parseAllowedHosts } from '../../src/security/allowlist';
import {
  checkDestination,
  guardPolicyFromEnvironment,
  type GuardPolicy,
  type LookupFunction,
} from '../../src/security/destination-guard';

// Every test passes its own lookup function, so no test resolves a name or opens a socket.
// The mock makes any accidental use of the system resolver fail the test.
jest.mock('node:dns/promises', () => ({
  lookup: jest.fn(async () => {
    throw new Error('Tests must not use the system resolver.');
  }),
}));

const DEFAULT_POLICY: GuardPolicy = { allowPrivateNetworks: false, allowedSchemes: ['https', 'http'] };

function lookupReturning(...addresses: string[]): jest.MockedFunction<LookupFunction> {
  return jest.fn(async (_hostname: string) => addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));
}

function lookupFailingWith(code: string): jest.MockedFunction<LookupFunction> {
  return jest.fn(async (hostname: string) => {
    throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code });
  });
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject.');
}

async function catchBlocked(url: string, policy: GuardPolicy, lookup: LookupFunction): Promise<DestinationBlockedError> {
  const error = await catchError(checkDestination(new URL(url), policy, lookup));
  if (!(error instanceof DestinationBlockedError)) {
    throw error;
  }
  return error;
}

describe('checkDestination', () => {
  it('returns resolved public address', async () => {
    const lookup = lookupReturning('93.184.216.34');

    const result = await checkDestination(new URL('https://api.test/items'), DEFAULT_POLICY, lookup);

    expect(result).toEqual({ url: new URL('https://api.test/items'), host: 'api.test', address: '93.184.216.34', family: 4 });
  });

  it('looks up host once', async () => {
    const lookup = lookupReturning('93.184.216.34');

    await checkDestination(new URL('https://api.test/items'), DEFAULT_POLICY, lookup);

    expect(lookup.mock.calls).toEqual([['api.test']]);
  });

  it('returns first of several addresses', async () => {
    const lookup = lookupReturning('2606:4700::1111', '93.184.216.34');

    const result = await checkDestination(new URL('https://api.test/'), DEFAULT_POLICY, lookup);

    expect(result).toMatchObject({ address: '2606:4700::1111', family: 6 });
  });

  it('blocks name resolving to loopback', async () => {
    const lookup = lookupReturning('127.0.0.1');

    const error = await catchBlocked('https://api.test/items', DEFAULT_POLICY, lookup);

    expect(error.details).toEqual({
      code: 'DESTINATION_BLOCKED',
      host: 'api.test',
      rule: 'loopback',
      address: '127.0.0.1',
      url: 'https://api.test/items',
    });
    expect(error.message).toBe(
      'Destination api.test is blocked: it resolves to 127.0.0.1, and loopback addresses (127.0.0.0/8) are not allowed. ' +
        'To open it, set ALLOW_PRIVATE_NETWORKS=127.0.0.1/32 (or true, which opens every private range).',
    );
  });

  it('blocked error is final', async () => {
    const lookup = lookupReturning('127.0.0.1');

    const error = await catchBlocked('https://api.test/', DEFAULT_POLICY, lookup);

    expect(error.retryable).toBe(false);
  });

  it('blocks when any address blocked', async () => {
    const lookup = lookupReturning('93.184.216.34', '10.0.0.7');

    const error = await catchBlocked('https://api.test/', DEFAULT_POLICY, lookup);

    expect(error.details).toMatchObject({ rule: 'private', address: '10.0.0.7' });
  });

  it('blocks mapped address from lookup', async () => {
    const lookup = lookupReturning('::ffff:169.254.169.254');

    const error = await catchBlocked('https://api.test/', DEFAULT_POLICY, lookup);

    expect(error.message).toBe(
      'Destination api.test is blocked: it resolves to ::ffff:a9fe:a9fe, which embeds the IPv4 address 169.254.169.254 ' +
        'as IPv4-mapped IPv6 (::ffff:0:0/96), and link-local addresses (169.254.0.0/16) are not allowed. ' +
        'To open it, set ALLOW_PRIVATE_NETWORKS=169.254.169.254/32 (or true, which opens every private range).',
    );
  });

  it('blocks link-local address with zone', async () => {
    const lookup = lookupReturning('fe80::1%eth0');

    const error = await catchBlocked('https://api.test/', DEFAULT_POLICY, lookup);

    expect(error.details).toMatchObject({ rule: 'link-local', address: 'fe80::1%eth0' });
  });

  it.each([
    ['http://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://[::1]:8080/', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254', 'unique-local'],
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://0.0.0.0/', '0.0.0.0', 'unspecified'],
  ])('blocks literal %s', async (url, host, rule) => {
    const lookup = lookupReturning('93.184.216.34');

    const error = await catchBlocked(url, DEFAULT_POLICY, lookup);

    expect(error.details).toMatchObject({ host, rule });
  });

  it('does not look up literals', async () => {
    const lookup = lookupReturning('93.184.216.34');

    await catchBlocked('http://127.0.0.1/', DEFAULT_POLICY, lookup);

    expect(lookup).not.toHaveBeenCalled();
  });

  it('names literal host directly', async () => {
    const lookup = lookupReturning();

    const error = await catchBlocked('http://127.0.0.1/', DEFAULT_POLICY, lookup);

    expect(error.message).toBe(
      'Destination 127.0.0.1 is blocked: loopback addresses (127.0.0.0/8) are not allowed. ' +
        'To open it, set ALLOW_PRIVATE_NETWORKS=127.0.0.1/32 (or true, which opens every private range).',
    );
  });

  it('suggests /128 for IPv6', async () => {
    const lookup = lookupReturning();

    const error = await catchBlocked('http://[::1]/', DEFAULT_POLICY, lookup);

    expect(error.message).toContain('ALLOW_PRIVATE_NETWORKS=::1/128');
  });

  it('returns public IPv6 literal unbracketed', async () => {
    const lookup = lookupReturning();

    const result = await checkDestination(new URL('https://[2606:4700::1111]/'), DEFAULT_POLICY, lookup);

    expect(result).toMatchObject({ host: '2606:4700::1111', address: '2606:4700::1111', family: 6 });
  });

  it('blocks octal host of custom scheme', async () => {
    const lookup = lookupReturning('93.184.216.34');
    const policy: GuardPolicy = { ...DEFAULT_POLICY, allowedSchemes: ['custom'] };

    const error = await catchBlocked('custom://0177.0.0.1/', policy, lookup);

    expect(error.details).toMatchObject({ host: '0177.0.0.1', rule: 'loopback', address: '127.0.0.1' });
  });

  it('keeps secrets out of details', async () => {
    const lookup = lookupReturning('127.0.0.1');

    const error = await catchBlocked('https://user:password@api.test/v1/items?token=secret#part', DEFAULT_POLICY, lookup);

    expect(error.details.url).toBe('https://api.test/v1/items');
  });

  it('keeps secrets out of message', async () => {
    const lookup = lookupReturning('127.0.0.1');

    const error = await catchBlocked('https://user:password@api.test/v1/items?token=secret', DEFAULT_POLICY, lookup);

    expect(error.message).not.toMatch(/password|secret/);
  });

  describe('opened CIDR list', () => {
    const policy: GuardPolicy = { ...DEFAULT_POLICY, allowPrivateNetworks: parseCidrList('127.0.0.2/32', 'ALLOW_PRIVATE_NETWORKS') };

    it('allows opened address', async () => {
      const lookup = lookupReturning('127.0.0.2');

      const result = await checkDestination(new URL('http://api.test/'), policy, lookup);

      expect(result.address).toBe('127.0.0.2');
    });

    it('still blocks other loopback', async () => {
      const lookup = lookupReturning('127.0.0.1');

      const error = await catchBlocked('http://api.test/', policy, lookup);

      expect(error.details).toMatchObject({ rule: 'loopback', address: '127.0.0.1' });
    });

    it('suggests adding to list', async () => {
      const lookup = lookupReturning();

      const error = await catchBlocked('http://127.0.0.1/', policy, lookup);

      expect(error.message).toContain('To open it, add 127.0.0.1/32 to ALLOW_PRIVATE_NETWORKS (or set it to true, which opens every private range).');
    });

    it('opens IPv4-mapped form too', async () => {
      const lookup = lookupReturning('::ffff:127.0.0.2');

      const result = await checkDestination(new URL('http://api.test/'), policy, lookup);

      expect(result).toMatchObject({ address: '::ffff:127.0.0.2', family: 6 });
    });

    it('does not open 6to4 form', async () => {
      const lookup = lookupReturning('2002:7f00:2::1');

      const error = await catchBlocked('http://api.test/', policy, lookup);

      expect(error.details).toMatchObject({ rule: 'loopback', address: '2002:7f00:2::1' });
    });

    it('opens IPv6 CIDR', async () => {
      const ipv6Policy: GuardPolicy = { ...DEFAULT_POLICY, allowPrivateNetworks: parseCidrList('fd00::/8', 'ALLOW_PRIVATE_NETWORKS') };
      const lookup = lookupReturning('fd12::5');

      const result = await checkDestination(new URL('http://api.test/'), ipv6Policy, lookup);

      expect(result.address).toBe('fd12::5');
    });
  });

  it('opens everything when true', async () => {
    const policy: GuardPolicy = { ...DEFAULT_POLICY, allowPrivateNetworks: true };
    const lookup = lookupReturning('10.0.0.7', '::1');

    const result = await checkDestination(new URL('http://api.test/'), policy, lookup);

    expect(result.address).toBe('10.0.0.7');
  });

  describe('allowlist', () => {
    const policy: GuardPolicy = { ...DEFAULT_POLICY, allowedHosts: parseAllowedHosts('api.example.com,*.example.org') };

    it('allows listed host', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const result = await checkDestination(new URL('https://api.example.com/'), policy, lookup);

      expect(result.host).toBe('api.example.com');
    });

    it('allows wildcard subdomain', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const result = await checkDestination(new URL('https://a.b.example.org/'), policy, lookup);

      expect(result.host).toBe('a.b.example.org');
    });

    it.each(['https://example.org/', 'https://api.example.com.evil.net/', 'https://badexample.org/'])('blocks unlisted %s', async (url) => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked(url, policy, lookup);

      expect(error.details.rule).toBe('host-not-allowed');
    });

    it('names ALLOWED_HOSTS in message', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('https://evil.net/path?q=1', policy, lookup);

      expect(error.message).toBe(
        'Destination evil.net is blocked: the host is not in ALLOWED_HOSTS (api.example.com, *.example.org). ' +
          'Add it to ALLOWED_HOSTS to allow it.',
      );
    });

    it('skips lookup for unlisted host', async () => {
      const lookup = lookupReturning('93.184.216.34');

      await catchBlocked('https://evil.net/', policy, lookup);

      expect(lookup).not.toHaveBeenCalled();
    });

    it('still blocks listed private host', async () => {
      const lookup = lookupReturning('192.168.0.10');

      const error = await catchBlocked('https://api.example.com/', policy, lookup);

      expect(error.details.rule).toBe('private');
    });

    it('empty list blocks everything', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('https://api.example.com/', { ...DEFAULT_POLICY, allowedHosts: [] }, lookup);

      expect(error.details.rule).toBe('host-not-allowed');
    });
  });

  describe('schemes', () => {
    it('blocks unsupported scheme', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('ftp://files.test/readme.txt', DEFAULT_POLICY, lookup);

      expect(error.message).toBe(
        'Destination files.test is blocked: the scheme ftp is not in ALLOWED_SCHEMES (https, http), ' +
          'and only http and https are supported.',
      );
    });

    it('blocks http when https only', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('http://api.test/', { ...DEFAULT_POLICY, allowedSchemes: ['https'] }, lookup);

      expect(error.message).toBe(
        'Destination api.test is blocked: the scheme http is not in ALLOWED_SCHEMES (https). Add http to ALLOWED_SCHEMES to allow it.',
      );
    });

    it('reports scheme rule', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('http://api.test/', { ...DEFAULT_POLICY, allowedSchemes: ['https'] }, lookup);

      expect(error.details.rule).toBe('scheme-not-allowed');
    });

    it('names hostless URL by scheme', async () => {
      const lookup = lookupReturning('93.184.216.34');

      const error = await catchBlocked('mailto:someone@api.test', DEFAULT_POLICY, lookup);

      expect(error.message).toMatch(/^Destination mailto: is blocked: the scheme mailto is not in ALLOWED_SCHEMES/);
    });

    it('blocks URL without host', async () => {
      const lookup = lookupReturning('93.184.216.34');
      const policy: GuardPolicy = { ...DEFAULT_POLICY, allowedSchemes: ['custom'] };

      const error = await catchBlocked('custom:/path', policy, lookup);

      expect(error.details.rule).toBe('missing-host');
    });
  });

  describe('lookup failure', () => {
    it('throws retryable ConnectionError', async () => {
      const lookup = lookupFailingWith('ENOTFOUND');

      const error = await catchError(checkDestination(new URL('https://api.test/items?key=secret'), DEFAULT_POLICY, lookup));

      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).retryable).toBe(true);
      expect((error as ConnectionError).requestSent).toBe(false);
    });

    it('reports code and redacted URL', async () => {
      const lookup = lookupFailingWith('EAI_AGAIN');

      const error = (await catchError(checkDestination(new URL('https://api.test/items?key=secret'), DEFAULT_POLICY, lookup))) as ConnectionError;

      expect(error.details).toEqual({ code: 'EAI_AGAIN', requestSent: false, url: 'https://api.test/items' });
    });

    it('names host and code', async () => {
      const lookup = lookupFailingWith('ENOTFOUND');

      const error = (await catchError(checkDestination(new URL('https://api.test/'), DEFAULT_POLICY, lookup))) as ConnectionError;

      expect(error.message).toBe('DNS lookup of api.test failed with ENOTFOUND, so no request was sent. Check the host name in the URL.');
    });

    it('keeps original error as cause', async () => {
      const lookup = lookupFailingWith('ENOTFOUND');

      const error = (await catchError(checkDestination(new URL('https://api.test/'), DEFAULT_POLICY, lookup))) as ConnectionError;

      expect((error.cause as Error).message).toBe('getaddrinfo ENOTFOUND api.test');
    });

    it('treats empty result as ENOTFOUND', async () => {
      const lookup = lookupReturning();

      const error = (await catchError(checkDestination(new URL('https://api.test/'), DEFAULT_POLICY, lookup))) as ConnectionError;

      expect(error.details.code).toBe('ENOTFOUND');
    });

    it('uses fallback code without errno', async () => {
      const lookup: LookupFunction = jest.fn(async () => {
        throw new Error('resolver unavailable');
      });

      const error = (await catchError(checkDestination(new URL('https://api.test/'), DEFAULT_POLICY, lookup))) as ConnectionError;

      expect(error.details.code).toBe('LOOKUP_FAILED');
    });
  });
});

describe('guardPolicyFromEnvironment', () => {
  it('applies defaults to empty environment', () => {
    const policy = guardPolicyFromEnvironment({});

    expect(policy).toEqual({ allowPrivateNetworks: false, allowedSchemes: ['https', 'http'] });
  });

  it('treats blank values as unset', () => {
    const policy = guardPolicyFromEnvironment({ ALLOWED_HOSTS: ' ', ALLOW_PRIVATE_NETWORKS: '', ALLOWED_SCHEMES: ' ' });

    expect(policy).toEqual({ allowPrivateNetworks: false, allowedSchemes: ['https', 'http'] });
  });

  it('reads allowed hosts', () => {
    const policy = guardPolicyFromEnvironment({ ALLOWED_HOSTS: 'api.example.com, *.example.org' });

    expect(policy.allowedHosts?.map((pattern) => pattern.text)).toEqual(['api.example.com', '*.example.org']);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' true ', true],
    ['false', false],
    ['False', false],
    [' , ', false],
  ])('reads ALLOW_PRIVATE_NETWORKS=%j', (value, expected) => {
    const policy = guardPolicyFromEnvironment({ ALLOW_PRIVATE_NETWORKS: value });

    expect(policy.allowPrivateNetworks).toBe(expected);
  });

  it('reads private network CIDRs', () => {
    const policy = guardPolicyFromEnvironment({ ALLOW_PRIVATE_NETWORKS: '127.0.0.2/32, fd00::/8' });

    expect((policy.allowPrivateNetworks as Array<{ text: string }>).map((cidr) => cidr.text)).toEqual(['127.0.0.2/32', 'fd00::/8']);
  });

  it.each([
    ['https', ['https']],
    ['HTTP, https', ['http', 'https']],
    ['https,https', ['https']],
  ])('reads ALLOWED_SCHEMES=%j', (value, expected) => {
    const policy = guardPolicyFromEnvironment({ ALLOWED_SCHEMES: value });

    expect(policy.allowedSchemes).toEqual(expected);
  });

  it.each([
    [{ ALLOW_PRIVATE_NETWORKS: 'yes' }, 'Invalid ALLOW_PRIVATE_NETWORKS entry "yes"'],
    [{ ALLOW_PRIVATE_NETWORKS: 'yes' }, 'ALLOW_PRIVATE_NETWORKS also accepts true, false or an empty value.'],
    [{ ALLOW_PRIVATE_NETWORKS: '10.0.0.0/8,10.0.0.1/8' }, 'Invalid ALLOW_PRIVATE_NETWORKS entry "10.0.0.1/8"'],
    [{ ALLOWED_SCHEMES: 'https,ftp' }, 'Invalid ALLOWED_SCHEMES value "https,ftp": "ftp" is not supported.'],
    [{ ALLOWED_SCHEMES: 'https:' }, 'Use a comma-separated list of http and https, such as https (default https,http).'],
    [{ ALLOWED_HOSTS: 'https://api.example.com' }, 'Invalid ALLOWED_HOSTS entry "https://api.example.com"'],
    [{ ALLOWED_HOSTS: '*.com' }, 'Invalid ALLOWED_HOSTS entry "*.com"'],
  ])('rejects %j', (env, message) => {
    const act = () => guardPolicyFromEnvironment(env);

    expect(act).toThrow(message);
  });
});
