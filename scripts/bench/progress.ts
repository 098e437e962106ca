import { nowMs } from './clock';

const startedAtMs = nowMs();

/** Prints one progress line to stderr, prefixed with the seconds since the benchmark started. */
export function progress(message: string): void {
  const seconds = ((nowMs() - startedAtMs) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds} s] ${message}\n`);
}

/** Seconds since the benchmark started. */
export function elapsedSeconds(): number {
  return (nowMs() - startedAtMs) / 1000;
}
