import { SecretResolutionError } from '../errors';
import type { SecretReference } from '../schemas/event';

/** Resolves a secret reference to its value at request time, inside the step. */
export interface SecretResolver {
  resolve(reference: SecretReference): Promise<string>;
}

/** The one call each AWS client makes here; tests pass a stand-in with the same shape. */
export interface SendClient {
  send(command: unknown): Promise<unknown>;
}

export interface AwsSecretResolverOptions {
  /** Secrets Manager client. Default: a client of `@aws-sdk/client-secrets-manager`, created on first use. */
  secretsManager?: SendClient;

  /** Parameter Store client. Default: a client of `@aws-sdk/client-ssm`, created on first use. */
  ssm?: SendClient;

  /** How long a fetched value is reused, in ms. Default 300000 (5 minutes). */
  cacheTtlMs?: number;
}

/** Prefix that sends a reference to Parameter Store instead of Secrets Manager. */
export const SSM_PREFIX = 'ssm:';

interface CacheEntry {
  value: Promise<string>;
  expiresAt: number;
}

/**
 * Creates a resolver that reads Secrets Manager (secret name or ARN) or, for ids
 * starting with `ssm:`, Parameter Store with decryption. Values are cached per id
 * for `cacheTtlMs`. Errors name the secret id and the AWS error name, never a value.
 */
export function createAwsSecretResolver(options: AwsSecretResolverOptions = {}): SecretResolver {
  const cacheTtlMs = options.cacheTtlMs ?? 300_000;
  const cache = new Map<string, CacheEntry>();
  let secretsManager = options.secretsManager;
  let ssm = options.ssm;

  const fetchRaw = async (secretId: string): Promise<string> => {
    if (secretId.startsWith(SSM_PREFIX)) {
      ssm ??= createSsmClient();
      return readParameter(ssm, secretId.slice(SSM_PREFIX.length));
    }
    secretsManager ??= createSecretsManagerClient();
    return readSecret(secretsManager, secretId);
  };

  const fetchCached = (secretId: string): Promise<string> => {
    const now = Date.now();
    const cached = cache.get(secretId);
    if (cached && cached.expiresAt > now) {
      return cached.value;
    }

    const value = fetchRaw(secretId);
    cache.set(secretId, { value, expiresAt: now + cacheTtlMs });
    value.catch(() => cache.delete(secretId));
    return value;
  };

  return {
    async resolve(reference) {
      let raw: string;
      try {
        raw = await fetchCached(reference.secret);
      } catch (error) {
        throw new SecretResolutionError(
          `Secret "${reference.secret}" could not be read: ${(error as Error).name}. Check that it exists and that the function's role may read it (the secretArns and parameterArns params in serverless.yml).`,
          { secretId: reference.secret, awsError: (error as Error).name },
        );
      }
      return selectField(raw, reference);
    },
  };
}

/** Picks `field` out of a JSON secret value, or returns the whole value when no field is named. */
function selectField(raw: string, reference: SecretReference): string {
  if (reference.field === undefined) {
    return raw;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }

  const value = (parsed as Record<string, unknown> | undefined)?.[reference.field];
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new SecretResolutionError(
      `Secret "${reference.secret}" has no string field "${reference.field}"; the secret value must be a JSON object with that key.`,
      { secretId: reference.secret, field: reference.field },
    );
  }
  return String(value);
}

async function readSecret(client: SendClient, secretId: string): Promise<string> {
  const { GetSecretValueCommand } = loadSecretsManagerModule();
  const output = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))) as { SecretString?: string; SecretBinary?: Uint8Array };

  if (output.SecretString !== undefined) {
    return output.SecretString;
  }
  if (output.SecretBinary !== undefined) {
    return Buffer.from(output.SecretBinary).toString('utf8');
  }
  throw Object.assign(new Error('the secret has no value'), { name: 'EmptySecret' });
}

async function readParameter(client: SendClient, name: string): Promise<string> {
  const { GetParameterCommand } = loadSsmModule();
  const output = (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))) as { Parameter?: { Value?: string } };

  const value = output.Parameter?.Value;
  if (value === undefined) {
    throw Object.assign(new Error('the parameter has no value'), { name: 'EmptyParameter' });
  }
  return value;
}

function createSecretsManagerClient(): SendClient {
  const { SecretsManagerClient } = loadSecretsManagerModule();
  return new SecretsManagerClient({});
}

function createSsmClient(): SendClient {
  const { SSMClient } = loadSsmModule();
  return new SSMClient({});
}

/** Loads the AWS SDK client on first use, so events without secrets never pay for it. */
function loadSecretsManagerModule(): typeof import('@aws-sdk/client-secrets-manager') {
  return require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
}

function loadSsmModule(): typeof import('@aws-sdk/client-ssm') {
  return require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
}
