import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';

import { summarizeHistory, type HistoryEntry, type HistoryEvent } from './history';

export interface LocalRunOptions {
  /** Fast-forward retry delays and durable waits instead of sleeping through them. Default false. */
  skipTime?: boolean;
}

export interface LocalRunOutcome {
  /** `SUCCEEDED` or `FAILED`, as the durable service reports it. */
  status: string;
  result: unknown;
  error?: { errorType?: string; errorMessage?: string };
  history: HistoryEntry[];
}

/**
 * Runs a durable handler once on this machine with the local checkpoint backend of
 * the durable testing SDK: the same replay, retries and waits as in Lambda, with no
 * AWS account. Sets up and tears down the local test environment around the run.
 */
export async function runDurableLocally(handler: DurableLambdaHandler, payload: unknown, options: LocalRunOptions = {}): Promise<LocalRunOutcome> {
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: options.skipTime ?? false });

  try {
    const runner = new LocalDurableTestRunner({ handlerFunction: handler });
    const execution = await runner.run({ payload });
    const status = String(execution.getStatus());

    const history = summarizeHistory(execution.getHistoryEvents() as HistoryEvent[]);

    // getResult() throws for a failed execution, so only a successful one is asked for it.
    if (status !== 'SUCCEEDED') {
      return { status, result: undefined, error: execution.getError(), history };
    }
    return { status, result: execution.getResult(), history };
  } finally {
    await LocalDurableTestRunner.teardownTestEnvironment();
  }
}

/**
 * Sends everything written through `console` to stderr, so a command-line tool can
 * keep stdout for its JSON result while the handler's log lines stay visible.
 */
export function sendConsoleToStderr(): void {
  globalThis.console = new console.Console({ stdout: process.stderr, stderr: process.stderr });
}
