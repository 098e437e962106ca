import type { ProductionBuildOptions } from './build-options';
import type { CompositionRow } from './bundle-composition';
import type { LoadTimings, LoadVariant } from './cold-load';
import type { ProfileAttribution } from './cpu-profile';
import type { DurableExecutionResult } from './durable-executions';
import type { MachineInfo } from './machine';
import type { BodySizeResult, RequestBenchmarkPlan, RequestProfile } from './step-overhead';

/** Sizes of one packaged function, in bytes. */
export interface PackageSizes {
  jsBytes: number;
  mapBytes: number;

  /** Zip of the bundle and its source map, as deployed. */
  zipBytes: number;

  /** Zip of the bundle alone. */
  zipWithoutMapBytes: number;
}

export interface ColdLoadResult {
  variant: LoadVariant;
  minimal: LoadTimings;
  restCaller: LoadTimings;
}

/** Profiles of one bare and one step client run with the same body size. */
export interface RequestProfilePair {
  bodyBytes: number;
  bare: RequestProfile;
  step: RequestProfile;
}

/** Everything one `npm run bench` measured. */
export interface BenchmarkResults {
  machine: MachineInfo;
  buildOptions: ProductionBuildOptions;

  /** Name of the zip library used, with its version. */
  zipLibrary: string;

  sizes: { minimal: PackageSizes; restCaller: PackageSizes };
  composition: CompositionRow[];

  /** Largest folders of the restCaller bundle, in minified bytes. */
  largestFolders: Array<{ folder: string; bytes: number }>;

  coldLoadRuns: number;
  /** The first variant is a plain `require()`, which the cold-load target applies to. */
  coldLoads: ColdLoadResult[];
  coldLoadProfiles: { minimal: ProfileAttribution; restCaller: ProfileAttribution };

  requestPlan: RequestBenchmarkPlan;
  stepOverhead: BodySizeResult[];
  requestProfiles: RequestProfilePair[];

  /** Bounds of the durable execution runs. */
  durablePlan: { warmupExecutions: number; maxExecutions: number; maxSeconds: number; bodyBytes: number };

  /** With `skipTime: true` first, as the tests run, then with real timers. */
  durable: DurableExecutionResult[];

  /** Wall-clock seconds of the whole benchmark. */
  durationSeconds: number;
}

/** Upper bounds that the benchmark checks, as ratios of restCaller to its baseline. */
export const TARGETS = {
  zip: 1.3,
  coldLoad: 1.3,
  stepOverhead1KiB: 1.25,
} as const;
