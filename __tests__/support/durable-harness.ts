import { Console } from 'node:console';
import { Writable } from 'node:stream';

import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';

import type { Settings } from '../../src/config/settings';
import { createRestCallerHandler, type RestCallerOptions } from '../../src/handlers/restCaller';
import type { RestCallerResponse } from '../../src/handlers/responses';
import { summarizeHistory, type HistoryEntry, type HistoryEvent } from '../../src/local/history';
import { parseCidrList } from '../../src/security/address-classifier';
import { redactedHeaderNames } from '../../src/security/redaction';
import type { SecretResolver } from '../../src/security/secrets';

/** Settings for tests: the guard stays on but opens 127.0.0.0/8, where the test servers listen. */
export function loopbackSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    defaultUrl: undefined,
    guard: { allowPrivateNetworks: parseCidrList('127.0.0.0/8', 'ALLOW_PRIVATE_NETWORKS'), allowedSchemes: ['https', 'http'] },
    redactedHeaders: redactedHeaderNames(undefined),
    executionTimeoutSeconds: 900,
    ...overrides,
  };
}

/** A secret resolver with no secrets; tests that need one pass their own. */
export const NO_SECRETS: SecretResolver = {
  resolve: async (reference) => {
    throw new Error(`test resolver has no secret ${reference.secret}`);
  },
};

/** Creates the real handler with test settings and without AWS clients. */
export function createTestHandler(options: RestCallerOptions = {}) {
  return createRestCallerHandler({
    settings: options.settings ?? loopbackSettings(),
    dependencies: { secrets: NO_SECRETS, ...options.dependencies },
  });
}

/** What a test reads back from one durable execution. */
export interface ExecutionOutcome {
  status: string;
  response: RestCallerResponse;

  /** `response.body` parsed from JSON. */
  body: Record<string, any>;
  history: HistoryEntry[];
  rawEvents: HistoryEvent[];

  /** Every line the execution wrote through `console`, captured instead of printed. */
  logs: string[];
}

/** Installs the local durable backend with skipped time for the whole test file. */
export function useSkipTimeEnvironment(): void {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());
}

/** Runs one durable execution of `handler` with `payload` and collects its response and history. */
export async function runExecution(handler: ReturnType<typeof createRestCallerHandler>, payload: unknown): Promise<ExecutionOutcome> {
  const runner = new LocalDurableTestRunner<RestCallerResponse>({ handlerFunction: handler });
  const logs: string[] = [];
  const originalConsole = globalThis.console;
  globalThis.console = captureConsole(logs);

  let execution;
  try {
    execution = await runner.run({ payload });
  } finally {
    globalThis.console = originalConsole;
  }

  const status = String(execution.getStatus());
  if (status !== 'SUCCEEDED') {
    throw new Error(`execution ${status}: ${JSON.stringify(execution.getError())}`);
  }

  const response = execution.getResult() as RestCallerResponse;
  const rawEvents = execution.getHistoryEvents() as HistoryEvent[];
  return { status, response, body: JSON.parse(response.body) as Record<string, any>, history: summarizeHistory(rawEvents), rawEvents, logs };
}

/** Creates a console whose output goes to `lines`, one entry per write. */
function captureConsole(lines: string[]): Console {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8').trimEnd());
      callback();
    },
  });
  return new Console({ stdout: sink, stderr: sink });
}

/** Retry delays recorded in the history for the step `name`, in seconds. */
export function retryDelays(history: HistoryEntry[], name = 'http-request'): number[] {
  return history.flatMap((entry) => (entry.kind === 'step' && entry.name === name && entry.retryDelaySeconds !== undefined ? [entry.retryDelaySeconds] : []));
}

/** Number of attempts recorded in the history for the step `name`. */
export function attemptCount(history: HistoryEntry[], name = 'http-request'): number {
  return history.filter((entry) => entry.kind === 'step' && entry.name === name).length;
}

/** Waits recorded in the history, in seconds, in order. */
export function waitDurations(history: HistoryEntry[]): number[] {
  return history.flatMap((entry) => (entry.kind === 'wait' ? [entry.seconds] : []));
}
