import { isHostAllowed, parseAllowedHosts, type HostPattern } from '../../src/security/allowlist';

function patterns(text: string): HostPattern[] {
  const parsed = parseAllowedHosts(text);
  if (parsed === undefined) {
    throw new Error(`No patterns in "${text}"`);
  }
  return parsed;
}

describe('parseAllowedHosts', () => {
  it.each([undefined, '', '   ', ' , ,'])('returns undefined for %j', (text) => {
    const result = parseAllowedHosts(text);

    expect(result).toBeUndefined();
  });

  it('trims and lower-cases entries', () => {
    const result = parseAllowedHosts(' API.Example.com , *.Example.ORG ');

    expect(result).toEqual([
      { kind: 'exact', host: 'api.example.com', text: 'api.example.com' },
      { kind: 'wildcard', suffix: 'example.org', text: '*.example.org' },
    ]);
  });

  it('removes one trailing dot', () => {
    const result = parseAllowedHosts('api.example.com.');

    expect(result).toEqual([{ kind: 'exact', host: 'api.example.com', text: 'api.example.com.' }]);
  });

  it('stores IP entries canonically', () => {
    const result = parseAllowedHosts('192.0.2.1,[2001:DB8:0::1],2001:db8::2');

    expect(result?.map((pattern) => (pattern.kind === 'exact' ? pattern.host : pattern.suffix))).toEqual([
      '192.0.2.1',
      '2001:db8::1',
      '2001:db8::2',
    ]);
  });

  it('converts Unicode names to IDNA', () => {
    const result = parseAllowedHosts('*.bücher.example');

    expect(result).toEqual([{ kind: 'wildcard', suffix: 'xn--bcher-kva.example', text: '*.bücher.example' }]);
  });

  it.each([
    ['*', 'to allow every host, leave ALLOWED_HOSTS empty or unset'],
    ['*.com', 'a wildcard needs at least two labels after *.'],
    ['foo*.com', '* is valid only as the whole first label, as in *.example.com'],
    ['*foo.example.com', '* is valid only as the whole first label'],
    ['api.*.example.com', '* is valid only as the whole first label'],
    ['*.*.example.com', '* is valid only as the whole first label'],
    ['https://api.example.com', 'write the host only, without scheme, path, query or credentials'],
    ['api.example.com/v1', 'write the host only'],
    ['user@api.example.com', 'write the host only'],
    ['api example.com', 'write the host only'],
    ['api.example.com:443', 'write the host without a port'],
    ['[::1]:443', 'write the host without a port'],
    ['fe80::1%eth0', 'remove the % part'],
    ['2130706433', 'write IPv4 addresses in dotted decimal, such as 127.0.0.1'],
    ['0x7f.1', 'write IPv4 addresses in dotted decimal, such as 127.0.0.1'],
    ['api..example.com', 'it is not a valid host name'],
    ['exa$mple.com', 'it is not a valid host name'],
    ['example.123', 'it is not a valid host name'],
    [`${'a'.repeat(64)}.example.com`, 'it is not a valid host name'],
  ])('rejects %j', (entry, reason) => {
    const act = () => parseAllowedHosts(`api.example.com,${entry}`);

    expect(act).toThrow(reason);
  });

  it('names variable and entry', () => {
    const act = () => parseAllowedHosts('api.example.com, *');

    expect(act).toThrow('Invalid ALLOWED_HOSTS entry "*": to allow every host, leave ALLOWED_HOSTS empty or unset.');
  });
});

describe('isHostAllowed', () => {
  it.each([
    ['api.example.com', true],
    ['API.Example.COM', true],
    ['api.example.com.', true],
    ['api.example.com..', false],
    ['example.com', false],
    ['other.example.com', false],
    ['api.example.com.evil.net', false],
    ['evil-api.example.com', false],
  ])('exact entry with %s: %s', (host, expected) => {
    const result = isHostAllowed(host, patterns('api.example.com'));

    expect(result).toBe(expected);
  });

  it.each([
    ['a.example.com', true],
    ['a.b.example.com', true],
    ['A.Example.Com.', true],
    ['example.com', false],
    ['badexample.com', false],
    ['example.com.evil.net', false],
    ['a.example.com.evil.net', false],
    ['a.example.co', false],
    ['.example.com', false],
    ['a.example.com%2e', false],
  ])('wildcard entry with %s: %s', (host, expected) => {
    const result = isHostAllowed(host, patterns('*.example.com'));

    expect(result).toBe(expected);
  });

  it('matches Unicode host as IDNA', () => {
    const result = isHostAllowed('shop.bücher.example', patterns('*.xn--bcher-kva.example'));

    expect(result).toBe(true);
  });

  it.each([
    ['192.0.2.1', true],
    ['3221225985', true],
    ['0300.0.02.01', true],
    ['192.0.2.2', false],
    ['[2001:db8::1]', true],
    ['2001:db8:0:0:0:0:0:1', true],
    ['2001:db8::2', false],
  ])('IP entries with %s: %s', (host, expected) => {
    const result = isHostAllowed(host, patterns('192.0.2.1,2001:db8::1'));

    expect(result).toBe(expected);
  });

  it('IP never matches wildcard', () => {
    const result = isHostAllowed('192.0.2.1', patterns('*.0.2.1.example.com,*.example.com'));

    expect(result).toBe(false);
  });

  it('name never matches IP entry', () => {
    const result = isHostAllowed('api.example.com', patterns('192.0.2.1'));

    expect(result).toBe(false);
  });

  it('empty list allows nothing', () => {
    const result = isHostAllowed('api.example.com', []);

    expect(result).toBe(false);
  });
});
