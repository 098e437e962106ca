import { withDurableExecution } from '@aws/durable-execution-sdk-js';

/**
 * Baseline for the size and cold-load benchmarks: the smallest durable function,
 * one step that returns a constant. Its bundle is the durable execution SDK and the
 * Lambda client that the SDK brings along.
 */
export const handler = withDurableExecution(async (_event: unknown, context) => context.step('constant', async () => 42));
