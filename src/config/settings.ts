import { guardPolicyFromEnvironment, type GuardPolicy } from '../security/destination-guard';
import { redactedHeaderNames } from '../security/redaction';

/** Configuration read once from the environment at cold start. */
export interface Settings {
  /** URL used when the event has none; from `API_URL`. */
  defaultUrl: string | undefined;

  /** Destination guard rules; from `ALLOWED_HOSTS`, `ALLOW_PRIVATE_NETWORKS` and `ALLOWED_SCHEMES`. */
  guard: GuardPolicy;

  /** Header names whose values are redacted; the built-in list plus `REDACT_HEADERS`. */
  redactedHeaders: ReadonlySet<string>;

  /** Durable execution timeout of the function in seconds; from `DURABLE_EXECUTION_TIMEOUT_SECONDS`, default {@link DEFAULT_EXECUTION_TIMEOUT_SECONDS}. */
  executionTimeoutSeconds: number;
}

/** Execution timeout assumed when `DURABLE_EXECUTION_TIMEOUT_SECONDS` is unset, as in local runs: the default of serverless.yml. */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 900;

/** A configuration variable contains a value the service cannot use. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(`durable-rest-caller configuration: ${message}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads and validates the settings. An invalid value throws
 * {@link ConfigurationError} naming the variable and the value, so a bad deployment
 * fails at cold start instead of on the first call.
 */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    defaultUrl: readUrl(env, 'API_URL'),
    guard: wrapConfigurationError(() => guardPolicyFromEnvironment(env)),
    redactedHeaders: redactedHeaderNames(env.REDACT_HEADERS),
    executionTimeoutSeconds: readPositiveInteger(env, 'DURABLE_EXECUTION_TIMEOUT_SECONDS') ?? DEFAULT_EXECUTION_TIMEOUT_SECONDS,
  };
}

function readUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) {
    return undefined;
  }

  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new ConfigurationError(`${name}="${value}" is not an http(s) URL; set it to a URL such as https://api.example.com/items, or unset it.`);
  }
  return value;
}

function readPositiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) {
    return undefined;
  }

  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new ConfigurationError(`${name}="${value}" is not a positive whole number of seconds.`);
  }
  return number;
}

function wrapConfigurationError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof ConfigurationError ? error : new ConfigurationError((error as Error).message);
  }
}
