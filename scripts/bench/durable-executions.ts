import { Console } from 'node:console';
import { Writable } from 'node:stream';

import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';

import { loadSettings } from '../../src/config/settings';
import type { RestCallerResponse } from '../../src/handlers/responses';
import { createRestCallerHandler } from '../../src/handlers/restCaller';

import { nowMs } from './clock';
import { LOOPBACK_ONLY_ENVIRONMENT, NO_SECRETS } from './request-loops';

/** Bounds of the measured executions; the loop stops at whichever comes first. */
export interface ExecutionLimits {
  maxExecutions: number;
  maxMs: number;
}

export interface DurableExecutionResult {
  /** Whether the local runner fast-forwarded timers (`skipTime`). */
  skipTime: boolean;

  executions: number;
  elapsedMs: number;

  /** CPU time of this process during the measured executions, checkpoint worker thread included, from `process.cpuUsage()`. */
  cpuMs: number;

  /** Log lines the handler wrote through `console`; they are counted instead of printed. */
  logLines: number;
}

/**
 * Runs complete durable executions of the real handler, one at a time, under the
 * durable testing SDK's local runner, each calling `url` once. Each execution gets a
 * new runner, as the project's tests do. Any execution that does not succeed with
 * status 200 stops the benchmark with its error.
 *
 * @param skipTime - Passed to `LocalDurableTestRunner.setupTestEnvironment`.
 */
export async function measureDurableExecutions(url: string, warmupExecutions: number, limits: ExecutionLimits, skipTime: boolean): Promise<DurableExecutionResult> {
  const handler = createRestCallerHandler({
    settings: loadSettings({ ...LOOPBACK_ONLY_ENVIRONMENT, DURABLE_EXECUTION_TIMEOUT_SECONDS: '900' }),
    dependencies: { secrets: NO_SECRETS },
  });
  const runOnce = async (): Promise<void> => {
    const runner = new LocalDurableTestRunner<RestCallerResponse>({ handlerFunction: handler });
    const execution = await runner.run({ payload: { url } });
    const status = String(execution.getStatus());
    const response = execution.getResult();
    if (status !== 'SUCCEEDED' || response?.statusCode !== 200) {
      throw new Error(`durable execution ended ${status} with ${JSON.stringify(response ?? execution.getError())}`);
    }
  };

  const logSink = new LineCounter();
  const originalConsole = globalThis.console;
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime });
  globalThis.console = new Console({ stdout: logSink, stderr: logSink });

  try {
    for (let run = 0; run < warmupExecutions; run += 1) {
      await runOnce();
    }

    const startedAt = nowMs();
    const cpuAtStart = process.cpuUsage();
    let executions = 0;
    while (executions < limits.maxExecutions && nowMs() - startedAt < limits.maxMs) {
      await runOnce();
      executions += 1;
    }
    const elapsedMs = nowMs() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    return { skipTime, executions, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, logLines: logSink.lines };
  } finally {
    globalThis.console = originalConsole;
    await LocalDurableTestRunner.teardownTestEnvironment();
  }
}

/** A stream that counts the lines written to it and drops them. */
class LineCounter extends Writable {
  lines = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines += chunk.toString('utf8').split('\n').filter((line) => line !== '').length;
    callback();
  }
}
