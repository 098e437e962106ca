/**
 * The real monotonic clock, captured when this module loads. The durable test
 * runner's skipTime mode installs @sinonjs/fake-timers, which replaces
 * `performance.now`, `Date` and `process.hrtime` until teardown, so time bounds and
 * measurements taken during a local durable run must not read those globals.
 */
const realHrtimeBigint = process.hrtime.bigint.bind(process.hrtime);

/** Milliseconds since an arbitrary fixed origin, from the real monotonic clock. */
export function nowMs(): number {
  return Number(realHrtimeBigint()) / 1e6;
}

/** Microseconds since the same origin as `process.hrtime`, which V8 CPU profiles also use. */
export function nowMicroseconds(): number {
  return Number(realHrtimeBigint() / 1000n);
}
