import { withDurableExecution } from '@aws/durable-execution-sdk-js';

import { formatHistory } from '../../src/local/history';
import { runDurableLocally } from '../../src/local/run-local';

describe('runDurableLocally', () => {
  it('reports a failed execution', async () => {
    const handler = withDurableExecution(async (_event: unknown, context) => {
      await context.step('explode', async () => {
        throw new Error('boom');
      }, { retryStrategy: () => ({ shouldRetry: false }) });
      return 'unreachable';
    });

    const outcome = await runDurableLocally(handler, {}, { skipTime: true });

    expect(outcome.status).toBe('FAILED');
    expect(outcome.result).toBeUndefined();
    expect(outcome.error?.errorMessage).toContain('boom');
    expect(formatHistory(outcome.history)).toEqual(['step  explode          attempt 1: Error: boom -> no retry']);
  });

  it('returns the result of a success', async () => {
    const handler = withDurableExecution(async (_event: unknown, context) => {
      await context.wait('pause', { seconds: 30 });
      return { done: true };
    });

    const outcome = await runDurableLocally(handler, {}, { skipTime: true });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.result).toEqual({ done: true });
    expect(formatHistory(outcome.history)).toEqual(['wait  pause            30 s (durable wait, no compute)']);
  });
});
