import {
  cidrContains,
  classifyAddress,
  formatIPAddress,
  normalizeIPv4,
  parseCidrList,
  parseIPAddress,
  type BlockRule,
} from '../../src/security/address-classifier';

// These tests treat addresses as plain strings. Nothing here opens a socket or resolves a name.

describe('classifyAddress', () => {
  it.each<[string, BlockRule]>([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.0.8', 'ietf-protocol-assignments'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('blocks IPv4 %s as %s', (address, rule) => {
    const result = classifyAddress(address);

    expect(result).toMatchObject({ blocked: true, rule });
  });

  it.each<[string, BlockRule]>([
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['FE80::ABCD%25', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001:20::1', 'reserved'],
    ['64:ff9b:1::a', 'nat64-local-use'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['5f00::1', 'reserved'],
  ])('blocks IPv6 %s as %s', (address, rule) => {
    const result = classifyAddress(address);

    expect(result).toMatchObject({ blocked: true, rule });
  });

  it.each<[string, BlockRule, string, string]>([
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1', 'ipv4-mapped'],
    ['[::ffff:7f00:1]', 'loopback', '127.0.0.1', 'ipv4-mapped'],
    ['::FFFF:A9FE:A9FE', 'link-local', '169.254.169.254', 'ipv4-mapped'],
    ['::ffff:10.1.2.3', 'private', '10.1.2.3', 'ipv4-mapped'],
    ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0', 'ipv4-mapped'],
    ['::ffff:255.255.255.255', 'broadcast', '255.255.255.255', 'ipv4-mapped'],
    ['::127.0.0.1', 'loopback', '127.0.0.1', 'ipv4-compatible'],
    ['::a9fe:a9fe', 'link-local', '169.254.169.254', 'ipv4-compatible'],
    ['::0.0.0.2', 'unspecified', '0.0.0.2', 'ipv4-compatible'],
    ['64:ff9b::7f00:1', 'loopback', '127.0.0.1', 'nat64'],
    ['64:ff9b::192.168.0.1', 'private', '192.168.0.1', 'nat64'],
    ['2002:7f00:1::', 'loopback', '127.0.0.1', '6to4'],
    ['2002:a9fe:a9fe::1', 'link-local', '169.254.169.254', '6to4'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback', '127.0.0.1', 'teredo'],
    ['2001:0:a00:1:0:0:a247:27dd', 'private', '10.0.0.1', 'teredo'],
  ])('blocks embedded %s as %s', (address, rule, embeddedIPv4, embedding) => {
    const result = classifyAddress(address);

    expect(result).toEqual({ blocked: true, rule, range: expect.any(String), embeddedIPv4, embedding });
  });

  it.each([
    '93.184.216.34',
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.0.1.255',
    '223.255.255.255',
    '2606:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:93.184.216.34',
    '64:ff9b::5db8:d822',
    '2002:5db8:d822::1',
    '2001:0:4136:e378:8000:63bf:a247:27dd',
  ])('allows public address %s', (address) => {
    const result = classifyAddress(address);

    expect(result).toEqual({ blocked: false });
  });

  it.each([
    ['0177.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0xa9.0xfe.0xa9.0xfe', 'link-local'],
  ])('blocks numeric IPv4 form %s', (address, rule) => {
    const result = classifyAddress(address);

    expect(result).toMatchObject({ blocked: true, rule });
  });

  it('reports matched range', () => {
    const result = classifyAddress('169.254.169.254');

    expect(result).toEqual({ blocked: true, rule: 'link-local', range: '169.254.0.0/16' });
  });

  it.each(['example.com', '', '[127.0.0.1]', '1.2.3.4.5', 'fe80::1%'])('rejects non-address %j', (text) => {
    const act = () => classifyAddress(text);

    expect(act).toThrow(TypeError);
  });

  it('names invalid address in message', () => {
    const act = () => classifyAddress('example.com');

    expect(act).toThrow('Invalid IP address "example.com"');
  });
});

describe('normalizeIPv4', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0X7F.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
  ])('converts %s to %s', (host, expected) => {
    const result = normalizeIPv4(host);

    expect(result).toBe(expected);
  });

  it.each([
    'example.com',
    '',
    '.',
    '127.0.0.1..',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.256',
    '127.16777216',
    '4294967296',
    '08.0.0.1',
    '0x7g.0.0.1',
    '1.2.3.-4',
    ' 127.0.0.1',
    '::1',
  ])('returns undefined for %j', (host) => {
    const result = normalizeIPv4(host);

    expect(result).toBeUndefined();
  });
});

describe('parseIPAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['[2001:DB8:0:0:0:0:0:1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('formats %s as %s', (text, expected) => {
    const address = parseIPAddress(text);
    const formatted = address === undefined ? undefined : formatIPAddress(address);

    expect(formatted).toBe(expected);
  });

  it.each(['0177.0.0.1', '[127.0.0.1]', 'example.com', '1::2::3'])('rejects %j', (text) => {
    const address = parseIPAddress(text);

    expect(address).toBeUndefined();
  });
});

describe('parseCidrList', () => {
  it('parses IPv4 and IPv6 entries', () => {
    const cidrs = parseCidrList('127.0.0.2/32, 10.0.0.0/8,::1/128, fd00::/8', 'ALLOW_PRIVATE_NETWORKS');

    expect(cidrs.map((cidr) => cidr.text)).toEqual(['127.0.0.2/32', '10.0.0.0/8', '::1/128', 'fd00::/8']);
  });

  it('treats bare address as host', () => {
    const cidrs = parseCidrList('127.0.0.2,::1', 'ALLOW_PRIVATE_NETWORKS');

    expect(cidrs.map((cidr) => cidr.text)).toEqual(['127.0.0.2/32', '::1/128']);
  });

  it('canonicalizes IPv6 network text', () => {
    const [cidr] = parseCidrList('FD00:0:0:0::/64', 'ALLOW_PRIVATE_NETWORKS');

    expect(cidr?.text).toBe('fd00::/64');
  });

  it('ignores empty entries', () => {
    const cidrs = parseCidrList(' , ,', 'ALLOW_PRIVATE_NETWORKS');

    expect(cidrs).toEqual([]);
  });

  it.each([
    ['foo', '"foo" is not an IPv4 address in dotted decimal or an IPv6 address'],
    ['10.0.0.0/33', 'the prefix length 33 is larger than 32'],
    ['::/129', 'the prefix length 129 is larger than 128'],
    ['10.0.0.0/', 'the prefix length "" must be a whole number from 0 to 32'],
    ['10.0.0.0/-1', 'the prefix length "-1" must be a whole number from 0 to 32'],
    ['10.0.0.0/8/8', 'the prefix length "8/8" must be a whole number from 0 to 32'],
    ['10.0.0.1/8', 'write 10.0.0.0/8 for the network or 10.0.0.1/32 for the single address'],
    ['2001:db8::1/32', 'write 2001:db8::/32 for the network or 2001:db8::1/128 for the single address'],
    ['fe80::1%eth0/64', 'must be written without brackets or zone id'],
    ['[::1]/128', 'must be written without brackets or zone id'],
    ['0177.0.0.1/32', 'is not an IPv4 address in dotted decimal'],
  ])('rejects %j with reason', (entry, reason) => {
    const act = () => parseCidrList(`10.0.0.0/8,${entry}`, 'ALLOW_PRIVATE_NETWORKS');

    expect(act).toThrow(reason);
  });

  it('names variable, entry and example', () => {
    const act = () => parseCidrList('10.0.0.0/8, bad', 'ALLOW_PRIVATE_NETWORKS');

    expect(act).toThrow('Invalid ALLOW_PRIVATE_NETWORKS entry "bad": "bad" is not an IPv4 address in dotted decimal or an IPv6 address. Use CIDR notation separated by commas, such as 10.0.0.0/8,fd00::/8.');
  });
});

describe('cidrContains', () => {
  it.each<[string, string, boolean]>([
    ['127.0.0.2/32', '127.0.0.2', true],
    ['127.0.0.2/32', '127.0.0.1', false],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['0.0.0.0/0', '93.184.216.34', true],
    ['0.0.0.0/0', '::1', false],
    ['::1/128', '::1', true],
    ['::1/128', '[::1]', true],
    ['::1/128', '::2', false],
    ['::1/128', '127.0.0.1', false],
    ['fd00::/8', 'fd12:3456::1%eth0', true],
    ['fd00::/8', 'fc00::1', false],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
    ['10.0.0.0/8', 'not-an-address', false],
  ])('%s contains %s: %s', (cidrText, ip, expected) => {
    const [cidr] = parseCidrList(cidrText, 'TEST_CIDRS');

    const result = cidrContains(cidr!, ip);

    expect(result).toBe(expected);
  });
});
