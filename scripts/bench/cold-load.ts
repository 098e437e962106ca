import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

import { runNode } from './child-process';
import { attributeProfile, readCpuProfile, type ProfileAttribution, type ProfiledBundle } from './cpu-profile';

/**
 * Script that a fresh `node -e` runs: time `require()` of the path in argv[1] and
 * print the milliseconds and the Node.js built-in modules that the require loaded.
 * The clock starts after Node.js has booted, so process start-up is not included,
 * but reading, compiling and running the bundle's top level are.
 *
 * NOTE: `process.moduleLoadList` is undocumented (present in Node.js 24). Without it
 * the list of built-in modules comes out empty and the timing still works.
 */
const REQUIRE_SCRIPT = [
  "const { performance } = require('node:perf_hooks');",
  'const loadList = () => process.moduleLoadList ?? [];',
  'const loadedBefore = new Set(loadList());',
  'const start = performance.now();',
  'require(process.argv[1]);',
  'const ms = performance.now() - start;',
  "const builtins = loadList().filter((entry) => !loadedBefore.has(entry) && entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));",
  'process.stdout.write(JSON.stringify({ ms, builtins }));',
].join('\n');

/**
 * Script that times only the compilation of the bundle, with the same
 * `vm.compileFunction` and CommonJS wrapper parameters that Node.js uses for
 * `require()`, without running it. Reading the file is not timed.
 */
const COMPILE_SCRIPT = [
  "const { performance } = require('node:perf_hooks');",
  "const source = require('node:fs').readFileSync(process.argv[1], 'utf8');",
  "const { compileFunction } = require('node:vm');",
  'const start = performance.now();',
  "compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: process.argv[1] });",
  'process.stdout.write(JSON.stringify({ ms: performance.now() - start, builtins: [] }));',
].join('\n');

/** Time limit of one load, in ms. A bundle whose top level keeps the event loop busy would hit it. */
const LOAD_TIMEOUT_MS = 30_000;

/** One way of loading the bundle in a fresh process. */
export interface LoadVariant {
  label: string;

  /** `require` runs the bundle; `compile` only compiles it. */
  script: 'require' | 'compile';

  /** Node.js flags, such as `--enable-source-maps`, which the deployed function sets in NODE_OPTIONS. */
  nodeFlags: string[];
}

/** Timings of one bundle, and the built-in modules its first run loaded. */
export interface LoadTimings {
  ms: number[];
  builtins: string[];
}

/**
 * Loads each bundle in `runs` fresh processes and returns the milliseconds of each
 * run, by bundle name. The bundles take turns, so a slow phase of the machine
 * affects all of them alike.
 */
export async function measureColdLoads(bundles: Record<string, string>, variant: LoadVariant, runs: number): Promise<Record<string, LoadTimings>> {
  const timings: Record<string, LoadTimings> = {};
  const script = variant.script === 'require' ? REQUIRE_SCRIPT : COMPILE_SCRIPT;

  for (let run = 1; run <= runs; run += 1) {
    for (const [name, jsPath] of Object.entries(bundles)) {
      const { stdout } = await runNode([...variant.nodeFlags, '-e', script, jsPath], LOAD_TIMEOUT_MS);
      const { ms, builtins } = JSON.parse(stdout) as { ms: number; builtins: string[] };
      timings[name] ??= { ms: [], builtins };
      timings[name].ms.push(ms);
    }
  }
  return timings;
}

/**
 * Loads the bundle once under `--cpu-prof` with a 100 µs sampling interval and splits
 * the CPU time of the `require()` by origin, through the bundle's source map.
 */
export async function profileColdLoad(bundle: ProfiledBundle, profileRoot: string): Promise<ProfileAttribution> {
  const directory = mkdtempSync(path.join(profileRoot, 'cold-load-'));
  try {
    await runNode(['--cpu-prof', '--cpu-prof-dir', directory, '--cpu-prof-interval', '100', '-e', REQUIRE_SCRIPT, bundle.jsPath], LOAD_TIMEOUT_MS);
    return attributeProfile(readCpuProfile(directory), [bundle], { kind: 'frame-url', url: '[eval]' });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
