/** One line of an execution history, reduced to what a reader of retries and waits needs. */
export type HistoryEntry =
  | {
      kind: 'step';
      name: string;

      /** Attempt number within this step, starting at 1. */
      attempt: number;
      outcome: 'succeeded' | 'failed';
      errorType?: string;
      errorMessage?: string;

      /** Delay before the next attempt, in seconds; absent when the step gave up or succeeded. */
      retryDelaySeconds?: number;
    }
  | { kind: 'wait'; name: string; seconds: number };

/** The subset of a history event that {@link summarizeHistory} reads; it matches the Lambda `Event` type. */
export interface HistoryEvent {
  EventType?: string;
  Id?: string;
  Name?: string;
  WaitStartedDetails?: { Duration?: number };
  StepFailedDetails?: { Error?: { Payload?: { ErrorType?: string; ErrorMessage?: string } }; RetryDetails?: { NextAttemptDelaySeconds?: number } };
}

/**
 * Turns the history events of a durable execution into step attempts and waits, in
 * order. Attempts are counted per step id here because the local runner reports
 * `CurrentAttempt` inconsistently.
 */
export function summarizeHistory(events: readonly HistoryEvent[]): HistoryEntry[] {
  const attempts = new Map<string, number>();
  const entries: HistoryEntry[] = [];

  for (const event of events) {
    const name = event.Name ?? event.Id ?? '(unnamed)';

    if (event.EventType === 'WaitStarted') {
      entries.push({ kind: 'wait', name, seconds: event.WaitStartedDetails?.Duration ?? 0 });
      continue;
    }
    if (event.EventType !== 'StepSucceeded' && event.EventType !== 'StepFailed') {
      continue;
    }

    const attempt = (attempts.get(event.Id ?? name) ?? 0) + 1;
    attempts.set(event.Id ?? name, attempt);

    if (event.EventType === 'StepSucceeded') {
      entries.push({ kind: 'step', name, attempt, outcome: 'succeeded' });
      continue;
    }

    const error = event.StepFailedDetails?.Error?.Payload;
    const retryDelaySeconds = event.StepFailedDetails?.RetryDetails?.NextAttemptDelaySeconds;
    entries.push({
      kind: 'step',
      name,
      attempt,
      outcome: 'failed',
      errorType: error?.ErrorType,
      errorMessage: error?.ErrorMessage,
      ...(retryDelaySeconds !== undefined ? { retryDelaySeconds } : {}),
    });
  }
  return entries;
}

/** Formats history entries as aligned text lines for a terminal. */
export function formatHistory(entries: readonly HistoryEntry[]): string[] {
  return entries.map((entry) => {
    if (entry.kind === 'wait') {
      return `wait  ${entry.name.padEnd(16)} ${entry.seconds} s (durable wait, no compute)`;
    }

    const head = `step  ${entry.name.padEnd(16)} attempt ${entry.attempt}`;
    if (entry.outcome === 'succeeded') {
      return `${head}: succeeded`;
    }

    const retry = entry.retryDelaySeconds !== undefined ? `retry in ${entry.retryDelaySeconds} s` : 'no retry';
    return `${head}: ${entry.errorType ?? 'Error'}: ${entry.errorMessage ?? ''} -> ${retry}`;
  });
}
