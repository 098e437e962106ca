import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

import { parseLastJsonLine, runNode } from './child-process';
import { attributeProfile, readCpuProfile, type ProfileAttribution, type ProfiledBundle } from './cpu-profile';
import type { ClientResult } from './request-client';
import type { LoopbackServer } from './server-process';
import { median } from './stats';

/** Bounds of every client run. Each run stops at `maxRequests` or `maxSeconds`, whichever comes first. */
export interface RequestBenchmarkPlan {
  bodySizes: readonly number[];
  rounds: number;
  warmupRequests: number;
  maxRequests: number;
  maxSeconds: number;
}

/** All runs of one body size. */
export interface BodySizeResult {
  bodyBytes: number;
  bare: ClientResult[];
  step: ClientResult[];

  /** Median requests per second of each mode. */
  bareRequestsPerSecond: number;
  stepRequestsPerSecond: number;

  /**
   * Time per request through the step divided by time per bare request: the median of
   * the round ratios. Each round runs the two modes back to back, so a ratio within a
   * round is less affected by a slow phase of the machine than a ratio of the medians.
   */
  ratio: number;

  /** The ratio of each round on its own. */
  roundRatios: number[];
}

/**
 * Runs the bare and the step client `rounds` times for each body size, alternating
 * which goes first, so a slow phase of the machine hits both modes alike.
 */
export async function measureStepOverhead(
  client: ProfiledBundle,
  server: LoopbackServer,
  plan: RequestBenchmarkPlan,
  onRun: (result: ClientResult, bodyBytes: number, round: number) => void,
): Promise<BodySizeResult[]> {
  const results: BodySizeResult[] = [];

  for (const bodyBytes of plan.bodySizes) {
    const runs: Record<'bare' | 'step', ClientResult[]> = { bare: [], step: [] };

    for (let round = 1; round <= plan.rounds; round += 1) {
      const order: Array<'bare' | 'step'> = round % 2 === 1 ? ['bare', 'step'] : ['step', 'bare'];
      for (const mode of order) {
        const result = await runClient(client, clientArguments(mode, server.urlFor(bodyBytes), plan), plan.maxSeconds);
        runs[mode].push(result);
        onRun(result, bodyBytes, round);
      }
    }

    const bareRequestsPerSecond = median(runs.bare.map(requestsPerSecond));
    const stepRequestsPerSecond = median(runs.step.map(requestsPerSecond));
    const roundRatios = runs.bare.map((bare, index) => requestsPerSecond(bare) / requestsPerSecond(runs.step[index] as ClientResult));
    results.push({ bodyBytes, ...runs, bareRequestsPerSecond, stepRequestsPerSecond, ratio: median(roundRatios), roundRatios });
  }
  return results;
}

/** Per-request CPU time of one client run, split by origin. */
export interface RequestProfile {
  mode: 'bare' | 'step';
  requests: number;
  attribution: ProfileAttribution;
}

/**
 * Runs one client under `--cpu-prof` and splits the CPU time of its measured loop by
 * origin (see {@link attributeProfile}). Profiling slows the run, so its request rate
 * is not reported; only the split is.
 */
export async function profileRequests(client: ProfiledBundle, server: LoopbackServer, plan: RequestBenchmarkPlan, mode: 'bare' | 'step', bodyBytes: number, profileRoot: string): Promise<RequestProfile> {
  const directory = mkdtempSync(path.join(profileRoot, `${mode}-`));
  try {
    const profileFlags = ['--cpu-prof', '--cpu-prof-dir', directory, '--cpu-prof-interval', '100'];
    const result = await runClient(client, clientArguments(mode, server.urlFor(bodyBytes), plan), plan.maxSeconds, profileFlags);
    const attribution = attributeProfile(readCpuProfile(directory), [client], {
      kind: 'time',
      startMicroseconds: result.loopStartMicroseconds,
      endMicroseconds: result.loopEndMicroseconds,
    });
    return { mode, requests: result.requests, attribution };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export function requestsPerSecond(result: ClientResult): number {
  return result.requests / (result.elapsedMs / 1000);
}

function clientArguments(mode: 'bare' | 'step', url: string, plan: RequestBenchmarkPlan): string[] {
  return [
    '--mode', mode,
    '--url', url,
    '--warmup', String(plan.warmupRequests),
    '--max-requests', String(plan.maxRequests),
    '--max-seconds', String(plan.maxSeconds),
  ];
}

async function runClient(client: ProfiledBundle, args: string[], maxSeconds: number, nodeFlags: string[] = []): Promise<ClientResult> {
  // Warm-up and loop are each bounded by maxSeconds; the rest is start-up slack.
  const timeoutMs = (2 * maxSeconds + 30) * 1000;
  const { stdout } = await runNode([...nodeFlags, client.jsPath, ...args], timeoutMs);
  return parseLastJsonLine<ClientResult>(stdout);
}
