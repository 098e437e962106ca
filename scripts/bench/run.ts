/**
 * `npm run bench`: measures what restCaller costs next to a minimal durable function
 * and next to a bare HTTP request, prints a summary table and rewrites the generated
 * part of docs/benchmarks.md. See that page for what each number means.
 *
 * Build output, zips and CPU profiles go to .build/bench/. Every HTTP request goes to
 * a server that this script starts on 127.0.0.1, and every loop is bounded in count
 * and time.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { version as esbuildVersion } from 'esbuild';

import { readProductionBuildOptions } from './build-options';
import { bundleEntry, type BundleOutput } from './bundle';
import { bytesByOrigin, compareComposition, folderOfPath } from './bundle-composition';
import { measureColdLoads, profileColdLoad, type LoadVariant } from './cold-load';
import { writeBenchmarkDocument } from './document';
import { measureDurableExecutions, type DurableExecutionResult } from './durable-executions';
import { textTable } from './format';
import { describeMachine } from './machine';
import { elapsedSeconds, progress } from './progress';
import type { BenchmarkResults, ColdLoadResult, PackageSizes, RequestProfilePair } from './results';
import { startLoopbackServer, type LoopbackServer } from './server-process';
import { measureStepOverhead, profileRequests, requestsPerSecond, type RequestBenchmarkPlan } from './step-overhead';
import { median } from './stats';
import { summaryRows } from './summary-table';
import { writeZip } from './zip';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const OUTPUT_DIR = path.join(PROJECT_ROOT, '.build/bench');
const PROFILE_DIR = path.join(OUTPUT_DIR, 'profiles');
const DOCUMENT_PATH = path.join(PROJECT_ROOT, 'docs/benchmarks.md');

const RESTCALLER_ENTRY = 'src/handlers/restCaller.ts';
const MINIMAL_ENTRY = 'scripts/bench/minimal-handler.ts';
const SERVER_ENTRY = 'scripts/bench/loopback-server.ts';
const CLIENT_ENTRY = 'scripts/bench/request-client.ts';

/** Fresh processes per handler and variant for the cold-load medians. */
const COLD_LOAD_RUNS = 15;

/** The first variant is the one the cold-load target applies to. */
const COLD_LOAD_VARIANTS: LoadVariant[] = [
  { label: 'plain `require()`', script: 'require', nodeFlags: [] },
  { label: '`require()` with `--enable-source-maps`, which serverless.yml sets in NODE_OPTIONS', script: 'require', nodeFlags: ['--enable-source-maps'] },
  { label: 'compile only, no run', script: 'compile', nodeFlags: [] },
];

const REQUEST_PLAN: RequestBenchmarkPlan = {
  bodySizes: [1024, 200 * 1024],
  rounds: 5,
  warmupRequests: 200,
  maxRequests: 2000,
  maxSeconds: 10,
};

const DURABLE_PLAN = { warmupExecutions: 5, maxExecutions: 100, maxSeconds: 20, bodyBytes: 1024 };

/** The loopback server exits by itself after this many seconds, even if this script dies. */
const SERVER_MAX_LIFETIME_SECONDS = 600;

async function main(): Promise<void> {
  const machine = describeMachine(esbuildVersion);
  progress(`Node.js ${machine.nodeVersion} on ${machine.cpuModel}, ${machine.logicalCores} cores`);
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });

  const buildOptions = readProductionBuildOptions(path.join(PROJECT_ROOT, 'serverless.yml'));
  progress(`Build options from ${buildOptions.source}: ${JSON.stringify(buildOptions.options)}`);

  progress('Bundling restCaller and the minimal durable handler');
  const handlersDir = path.join(OUTPUT_DIR, 'handlers');
  const minimal = await bundleEntry(PROJECT_ROOT, path.join(handlersDir, 'minimal'), MINIMAL_ENTRY, buildOptions.options);
  const restCaller = await bundleEntry(PROJECT_ROOT, path.join(handlersDir, 'restCaller'), RESTCALLER_ENTRY, buildOptions.options);

  const sizeResults = await measureSizes(minimal, restCaller);
  const coldLoadResults = await measureColdLoad(minimal, restCaller);

  progress('Bundling the loopback server and the request client with the build options');
  const toolsDir = path.join(OUTPUT_DIR, 'tools');
  const server = await bundleEntry(PROJECT_ROOT, toolsDir, SERVER_ENTRY, buildOptions.options);
  const client = await bundleEntry(PROJECT_ROOT, toolsDir, CLIENT_ENTRY, buildOptions.options);

  const loopback = await startLoopbackServer(server.jsPath, REQUEST_PLAN.bodySizes, SERVER_MAX_LIFETIME_SECONDS);
  progress(`Loopback server listening at ${loopback.origin}`);

  let results: BenchmarkResults;
  try {
    const requestResults = await measureRequests(client, loopback);
    const durable = await measureDurable(loopback);
    results = {
      machine,
      buildOptions,
      zipLibrary: `archiver ${(require('archiver/package.json') as { version: string }).version}`,
      ...sizeResults,
      ...coldLoadResults,
      requestPlan: REQUEST_PLAN,
      ...requestResults,
      durablePlan: DURABLE_PLAN,
      durable,
      durationSeconds: elapsedSeconds(),
    };
  } finally {
    await loopback.stop();
  }

  writeBenchmarkDocument(DOCUMENT_PATH, results);
  progress(`Wrote ${path.relative(PROJECT_ROOT, DOCUMENT_PATH)}`);
  process.stdout.write(`\n${textTable(summaryRows(results))}\n`);
}

async function measureSizes(minimal: BundleOutput, restCaller: BundleOutput): Promise<Pick<BenchmarkResults, 'sizes' | 'composition' | 'largestFolders'>> {
  progress('Zipping each bundle with and without its source map (archiver, as serverless-esbuild does)');
  const sizes = {
    minimal: await measurePackage(minimal, path.join(OUTPUT_DIR, 'zips', 'minimal')),
    restCaller: await measurePackage(restCaller, path.join(OUTPUT_DIR, 'zips', 'restCaller')),
  };
  progress(`  zip with source map: minimal ${sizes.minimal.zipBytes} bytes, restCaller ${sizes.restCaller.zipBytes} bytes`);

  const composition = compareComposition(bytesByOrigin(minimal.metafile, minimal.metafileOutput), bytesByOrigin(restCaller.metafile, restCaller.metafileOutput));
  const folders = bytesByOrigin(restCaller.metafile, restCaller.metafileOutput, folderOfPath);
  const largestFolders = [...folders].map(([folder, bytes]) => ({ folder, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 6);
  return { sizes, composition, largestFolders };
}

async function measureColdLoad(minimal: BundleOutput, restCaller: BundleOutput): Promise<Pick<BenchmarkResults, 'coldLoadRuns' | 'coldLoads' | 'coldLoadProfiles'>> {
  const coldLoads: ColdLoadResult[] = [];
  for (const variant of COLD_LOAD_VARIANTS) {
    progress(`Cold load, ${variant.label}: ${COLD_LOAD_RUNS} fresh processes per handler`);
    const timings = await measureColdLoads({ minimal: minimal.jsPath, restCaller: restCaller.jsPath }, variant, COLD_LOAD_RUNS);
    const empty = { ms: [], builtins: [] };
    const result = { variant, minimal: timings.minimal ?? empty, restCaller: timings.restCaller ?? empty };
    progress(`  median: minimal ${median(result.minimal.ms).toFixed(1)} ms, restCaller ${median(result.restCaller.ms).toFixed(1)} ms`);
    coldLoads.push(result);
  }

  progress('Profiling one cold load of each handler');
  const coldLoadProfiles = { minimal: await profileColdLoad(minimal, PROFILE_DIR), restCaller: await profileColdLoad(restCaller, PROFILE_DIR) };
  return { coldLoadRuns: COLD_LOAD_RUNS, coldLoads, coldLoadProfiles };
}

async function measureDurable(loopback: LoopbackServer): Promise<DurableExecutionResult[]> {
  const results: DurableExecutionResult[] = [];
  for (const skipTime of [true, false]) {
    progress(`Durable executions under the local runner, skipTime ${skipTime}: up to ${DURABLE_PLAN.maxExecutions} or ${DURABLE_PLAN.maxSeconds} s`);
    const limits = { maxExecutions: DURABLE_PLAN.maxExecutions, maxMs: DURABLE_PLAN.maxSeconds * 1000 };
    const run = await measureDurableExecutions(loopback.urlFor(DURABLE_PLAN.bodyBytes), DURABLE_PLAN.warmupExecutions, limits, skipTime);
    progress(`  ${run.executions} executions in ${(run.elapsedMs / 1000).toFixed(1)} s`);
    results.push(run);
  }
  return results;
}

async function measurePackage(bundle: BundleOutput, zipDir: string): Promise<PackageSizes> {
  const js = { filePath: bundle.jsPath, name: bundle.jsZipName };
  const map = { filePath: bundle.mapPath, name: bundle.mapZipName };
  return {
    jsBytes: statSync(bundle.jsPath).size,
    mapBytes: statSync(bundle.mapPath).size,
    zipBytes: await writeZip(path.join(zipDir, 'with-map.zip'), [js, map]),
    zipWithoutMapBytes: await writeZip(path.join(zipDir, 'without-map.zip'), [js]),
  };
}

async function measureRequests(client: BundleOutput, loopback: LoopbackServer): Promise<Pick<BenchmarkResults, 'stepOverhead' | 'requestProfiles'>> {
  progress(
    `Step overhead: ${REQUEST_PLAN.rounds} rounds of bare and step clients per body size, ` +
      `each ${REQUEST_PLAN.warmupRequests} warm-up requests then up to ${REQUEST_PLAN.maxRequests} requests or ${REQUEST_PLAN.maxSeconds} s`,
  );
  const stepOverhead = await measureStepOverhead(client, loopback, REQUEST_PLAN, (result, bodyBytes, round) => {
    const peakMiB = (result.peakRssBytes / 1024 / 1024).toFixed(1);
    progress(`  ${bodyBytes / 1024} KiB, round ${round}, ${result.mode}: ${requestsPerSecond(result).toFixed(0)} requests/s (${result.requests} requests), peak RSS ${peakMiB} MiB`);
  });

  const requestProfiles: RequestProfilePair[] = [];
  for (const bodyBytes of REQUEST_PLAN.bodySizes) {
    progress(`Profiling one bare and one step client run with ${bodyBytes / 1024} KiB bodies`);
    requestProfiles.push({
      bodyBytes,
      bare: await profileRequests(client, loopback, REQUEST_PLAN, 'bare', bodyBytes, PROFILE_DIR),
      step: await profileRequests(client, loopback, REQUEST_PLAN, 'step', bodyBytes, PROFILE_DIR),
    });
  }
  return { stepOverhead, requestProfiles };
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
