import { json, redirect, reply, startFaultServer, type FaultServer } from '../support/fault-server';
import { createTestHandler, loopbackSettings, runExecution, useSkipTimeEnvironment } from '../support/durable-harness';
import { parseCidrList } from '../../src/security/address-classifier';
import { parseAllowedHosts } from '../../src/security/allowlist';
import type { LookupFunction } from '../../src/security/destination-guard';

useSkipTimeEnvironment();

/** Guard settings as deployed by default: every private and loopback range blocked. */
const DEFAULT_GUARD = { allowPrivateNetworks: false as const, allowedSchemes: ['https', 'http'] };

/** Creates a resolver that looks names up in a fixed table, so nothing reaches real DNS. */
function lookupFrom(table: Record<string, string>): LookupFunction {
  return async (hostname) => {
    const address = table[hostname];
    if (address === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return [{ address, family: 4 }];
  };
}

describe('destination guard in the handler', () => {
  const servers: FaultServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(routes: Parameters<typeof startFaultServer>[0], host = '127.0.0.1'): Promise<FaultServer> {
    const server = await startFaultServer(routes, { host });
    servers.push(server);
    return server;
  }

  it('blocks loopback by default', async () => {
    const server = await start({ '/secret': json(200, { internal: true }) });
    const handler = createTestHandler({ settings: loopbackSettings({ guard: DEFAULT_GUARD }) });

    const outcome = await runExecution(handler, { url: server.url('/secret') });

    expect(outcome.response.statusCode).toBe(403);
    expect(outcome.body.error).toBe('Destination blocked');
    expect(outcome.body.details.host).toBe('127.0.0.1');
    expect(outcome.body.details.rule).toBe('loopback');
    expect(outcome.body.details.message).toContain('ALLOW_PRIVATE_NETWORKS');
    expect(outcome.body.attempts).toBe(1);
    expect(server.requestCount()).toBe(0);
  });

  it('blocks a name resolving to loopback', async () => {
    const server = await start({ '/': json(200, {}) });
    const lookup = lookupFrom({ 'api.test': '127.0.0.1' });
    const handler = createTestHandler({ settings: loopbackSettings({ guard: DEFAULT_GUARD }), dependencies: { lookup } });

    const outcome = await runExecution(handler, { url: `http://api.test:${server.port}/` });

    expect(outcome.response.statusCode).toBe(403);
    expect(outcome.body.details.host).toBe('api.test');
    expect(outcome.body.details.address).toBe('127.0.0.1');
    expect(server.requestCount()).toBe(0);
  });

  it('connects to the checked address', async () => {
    const server = await start({ '/items': json(200, { served: 'pinned' }) });
    const lookup = lookupFrom({ 'api.test': '127.0.0.1' });
    const handler = createTestHandler({ dependencies: { lookup } });

    const outcome = await runExecution(handler, { url: `http://api.test:${server.port}/items` });

    expect(outcome.response.statusCode).toBe(200);
    expect(outcome.body.data).toEqual({ served: 'pinned' });
    expect(server.requests[0]?.headers.host).toBe(`api.test:${server.port}`);
  });

  it('blocks a redirect to a closed range', async () => {
    const forbidden = await start({ '/admin': json(200, { admin: true }) }, '127.0.0.1');
    const opened = await start({ '/start': redirect(302, forbidden.url('/admin')) }, '127.0.0.2');
    const guard = { allowPrivateNetworks: parseCidrList('127.0.0.2/32', 'ALLOW_PRIVATE_NETWORKS'), allowedSchemes: ['http'] };
    const handler = createTestHandler({ settings: loopbackSettings({ guard }) });

    const outcome = await runExecution(handler, { url: opened.url('/start') });

    expect(outcome.response.statusCode).toBe(403);
    expect(outcome.body.details.host).toBe('127.0.0.1');
    expect(opened.requestCount('/start')).toBe(1);
    expect(forbidden.requestCount()).toBe(0);
  });

  it('enforces ALLOWED_HOSTS', async () => {
    const server = await start({ '/': json(200, {}) });
    const lookup = lookupFrom({ 'api.test': '127.0.0.1', 'evil-api.test': '127.0.0.1' });
    const guard = { ...loopbackSettings().guard, allowedHosts: parseAllowedHosts('api.test,*.partner.test') };
    const handler = createTestHandler({ settings: loopbackSettings({ guard }), dependencies: { lookup } });

    const allowed = await runExecution(handler, { url: `http://api.test:${server.port}/` });
    const rejected = await runExecution(handler, { url: `http://evil-api.test:${server.port}/` });

    expect(allowed.response.statusCode).toBe(200);
    expect(rejected.response.statusCode).toBe(403);
    expect(rejected.body.details.rule).toBe('host-not-allowed');
    expect(server.requestCount()).toBe(1);
  });

  it('enforces ALLOWED_SCHEMES', async () => {
    const server = await start({ '/': json(200, {}) });
    const guard = { ...loopbackSettings().guard, allowedSchemes: ['https'] };
    const handler = createTestHandler({ settings: loopbackSettings({ guard }) });

    const outcome = await runExecution(handler, { url: server.url('/') });

    expect(outcome.response.statusCode).toBe(403);
    expect(outcome.body.details.rule).toBe('scheme-not-allowed');
    expect(server.requestCount()).toBe(0);
  });

  it('does not retry a blocked destination', async () => {
    const server = await start({ '/': reply(200) });
    const handler = createTestHandler({ settings: loopbackSettings({ guard: DEFAULT_GUARD }) });

    const outcome = await runExecution(handler, { url: server.url('/'), retry: { maxAttempts: 5 } });

    expect(outcome.history.filter((entry) => entry.kind === 'step')).toHaveLength(1);
  });
});
