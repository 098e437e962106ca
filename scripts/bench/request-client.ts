/**
 * Child-process entry of one request benchmark run: warms up, then sends requests one
 * at a time through the HTTP step or through a bare `http.request`, and prints a JSON
 * line with the counts, timings and memory of the run.
 *
 *   node request-client.js --mode step|bare --url URL --warmup N --max-requests N --max-seconds S
 *
 * Each run gets its own process so that the peak RSS belongs to one mode and one
 * body size, and so that JIT state and heap of one run do not carry into the next.
 */
import { parseArgs } from 'node:util';

import { nowMicroseconds } from './clock';
import { createBareRequest, createStepRequest, runBoundedLoop } from './request-loops';

/** Result that one client process prints as a JSON line. Memory is in bytes, and times are in ms unless the name gives another unit. */
export interface ClientResult {
  mode: 'step' | 'bare';
  requests: number;
  elapsedMs: number;

  /** `process.memoryUsage().rss` after the bundle loaded and before the first request. */
  rssAfterLoadBytes: number;

  /** `process.resourceUsage().maxRSS` at the end: the kernel's peak resident set of the process. */
  peakRssBytes: number;

  /** Start and end of the measured loop on the monotonic clock, in µs, to cut a CPU profile to the loop. */
  loopStartMicroseconds: number;
  loopEndMicroseconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      url: { type: 'string' },
      warmup: { type: 'string', default: '200' },
      'max-requests': { type: 'string', default: '2000' },
      'max-seconds': { type: 'string', default: '10' },
    },
  });

  const mode = values.mode;
  if ((mode !== 'step' && mode !== 'bare') || values.url === undefined) {
    throw new Error('usage: request-client.js --mode step|bare --url URL [--warmup N] [--max-requests N] [--max-seconds S]');
  }

  const maxMs = Number(values['max-seconds']) * 1000;
  const send = mode === 'step' ? createStepRequest(values.url) : createBareRequest(values.url);
  const rssAfterLoadBytes = process.memoryUsage().rss;

  await runBoundedLoop({ maxRequests: Number(values.warmup), maxMs }, send);

  const loopStartMicroseconds = nowMicroseconds();
  const loop = await runBoundedLoop({ maxRequests: Number(values['max-requests']), maxMs }, send);
  const loopEndMicroseconds = nowMicroseconds();

  const result: ClientResult = {
    mode,
    requests: loop.requests,
    elapsedMs: loop.elapsedMs,
    rssAfterLoadBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    loopStartMicroseconds,
    loopEndMicroseconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
