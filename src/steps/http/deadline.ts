/** Error that an expired deadline destroys the attempt's requests with. */
export class DeadlineExceeded extends Error {
  constructor(timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms exceeded`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * The deadline of one attempt: a single timer that destroys every request of the
 * attempt (redirect hops included) once the time is up. Requests register with
 * {@link Deadline.onExpire}; a plain callback list costs less per request than an
 * `AbortSignal` passed to `http.request`.
 */
export class Deadline {
  readonly timeoutMs: number;

  private readonly timer: NodeJS.Timeout;

  private readonly startedAt = performance.now();

  private readonly expireListeners: Array<(error: Error) => void> = [];

  private isExpired = false;

  constructor(timeoutMs: number) {
    this.timeoutMs = Math.max(1, Math.floor(timeoutMs));
    this.timer = setTimeout(() => this.expire(), this.timeoutMs);
  }

  get expired(): boolean {
    return this.isExpired;
  }

  /** Calls `listener` when the deadline passes, or at once when it already has. */
  onExpire(listener: (error: Error) => void): void {
    if (this.isExpired) {
      listener(new DeadlineExceeded(this.timeoutMs));
      return;
    }
    this.expireListeners.push(listener);
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.expireListeners.length = 0;
  }

  private expire(): void {
    this.isExpired = true;
    for (const listener of this.expireListeners.splice(0)) {
      listener(new DeadlineExceeded(this.timeoutMs));
    }
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
