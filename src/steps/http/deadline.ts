/**
 * The deadline of one attempt: a single timer that aborts every socket of the
 * attempt (redirect hops included) once the time is up.
 */
export class Deadline {
  readonly signal: AbortSignal;

  readonly timeoutMs: number;

  private readonly controller = new AbortController();

  private readonly timer: NodeJS.Timeout;

  private readonly startedAt = performance.now();

  constructor(timeoutMs: number) {
    this.timeoutMs = Math.max(1, Math.floor(timeoutMs));
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.controller.abort(), this.timeoutMs);
  }

  get expired(): boolean {
    return this.signal.aborted;
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Time kept back from the Lambda invocation so a timed-out attempt can still be checkpointed, in ms. */
export const INVOCATION_RESERVE_MS = 3_000;

/**
 * Chooses the deadline of an attempt: `timeoutSeconds`, shortened so that the
 * attempt ends {@link INVOCATION_RESERVE_MS} before the invocation would be stopped.
 * The result is at least 1 ms.
 */
export function attemptTimeoutMs(timeoutSeconds: number, remainingInvocationMs: number | undefined): number {
  const requestedMs = timeoutSeconds * 1000;
  if (remainingInvocationMs === undefined || !Number.isFinite(remainingInvocationMs)) {
    return requestedMs;
  }

  return Math.max(1, Math.min(requestedMs, remainingInvocationMs - INVOCATION_RESERVE_MS));
}
