import type { HistoryEvent } from '../../src/local/history';

/** A history event with the result of a succeeded step, which {@link HistoryEvent} leaves out. */
interface StepSucceededEvent extends HistoryEvent {
  StepSucceededDetails?: { Result?: { Payload?: string } };
}

/**
 * Returns the JSON text that the StepSucceeded event of step `name` stores, which is
 * what the durable service checkpoints. Throws when the step never succeeded.
 */
export function stepResultPayload(rawEvents: readonly HistoryEvent[], name = 'http-request'): string {
  const event = (rawEvents as readonly StepSucceededEvent[]).find((entry) => entry.EventType === 'StepSucceeded' && entry.Name === name);
  const payload = event?.StepSucceededDetails?.Result?.Payload;
  if (payload === undefined) {
    throw new Error(`No StepSucceeded event with a result for step "${name}" in the history.`);
  }
  return payload;
}
