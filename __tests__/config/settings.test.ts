import { ConfigurationError, DEFAULT_EXECUTION_TIMEOUT_SECONDS, loadSettings } from '../../src/config/settings';

describe('loadSettings', () => {
  it('applies defaults to an empty environment', () => {
    const settings = loadSettings({});

    expect(settings.defaultUrl).toBeUndefined();
    expect(settings.executionTimeoutSeconds).toBe(DEFAULT_EXECUTION_TIMEOUT_SECONDS);
    expect(settings.guard.allowPrivateNetworks).toBe(false);
    expect(settings.guard.allowedSchemes).toEqual(['https', 'http']);
    expect(settings.redactedHeaders.has('authorization')).toBe(true);
  });

  it('reads every variable', () => {
    const settings = loadSettings({
      API_URL: 'https://api.example.com/items',
      DURABLE_EXECUTION_TIMEOUT_SECONDS: '3600',
      REDACT_HEADERS: 'X-Session',
      ALLOWED_SCHEMES: 'https',
    });

    expect(settings.defaultUrl).toBe('https://api.example.com/items');
    expect(settings.executionTimeoutSeconds).toBe(3600);
    expect(settings.redactedHeaders.has('x-session')).toBe(true);
    expect(settings.guard.allowedSchemes).toEqual(['https']);
  });

  it.each([
    ['API_URL', 'ftp://files.example.com'],
    ['API_URL', 'not a url'],
    ['DURABLE_EXECUTION_TIMEOUT_SECONDS', '15m'],
    ['DURABLE_EXECUTION_TIMEOUT_SECONDS', '0'],
    ['ALLOW_PRIVATE_NETWORKS', '10.0.0.0/99'],
    ['ALLOWED_SCHEMES', 'gopher'],
    ['ALLOWED_HOSTS', '*'],
  ])('rejects %s=%s', (name, value) => {
    const load = () => loadSettings({ [name]: value });

    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(name);
    expect(load).toThrow(value);
  });
});
