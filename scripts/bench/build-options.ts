import { existsSync, readFileSync } from 'node:fs';

import type { BuildOptions } from 'esbuild';

/** The esbuild options of a deployment build and where they came from. */
export interface ProductionBuildOptions {
  options: BuildOptions;

  /** `serverless.yml custom.esbuild`, or the reason the fallback defaults were used. */
  source: string;
}

/** Options used when serverless.yml is missing or cannot be read: the ones the project deploys with. */
export const FALLBACK_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
};

/**
 * Keys of `custom.esbuild` that serverless-esbuild 1.57 consumes itself and removes
 * before it calls esbuild (the list in its `bundle()`).
 */
const PLUGIN_ONLY_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

interface ServerlessConfig {
  provider?: { runtime?: unknown };
  custom?: { esbuild?: Record<string, unknown> };
}

interface YamlModule {
  load(text: string): unknown;
  safeLoad?(text: string): unknown;
}

/**
 * Reads `custom.esbuild` from serverless.yml and turns it into the options that
 * serverless-esbuild 1.57 passes to esbuild: its defaults (`bundle: true`,
 * `platform: node`, the target of `provider.runtime`, `exclude: ['aws-sdk']`),
 * overridden by the file, with the plugin's own keys removed and `exclude` added to
 * `external`. Falls back to {@link FALLBACK_BUILD_OPTIONS} when the file is missing or
 * cannot be read, and records the reason in `source`.
 */
export function readProductionBuildOptions(serverlessYmlPath: string): ProductionBuildOptions {
  if (!existsSync(serverlessYmlPath)) {
    return { options: { ...FALLBACK_BUILD_OPTIONS }, source: `fallback defaults, because ${serverlessYmlPath} does not exist` };
  }

  try {
    const config = parseYaml(readFileSync(serverlessYmlPath, 'utf8')) as ServerlessConfig;
    return { options: toEsbuildOptions(config), source: 'serverless.yml custom.esbuild, as serverless-esbuild 1.57 applies it' };
  } catch (error) {
    return { options: { ...FALLBACK_BUILD_OPTIONS }, source: `fallback defaults, because serverless.yml could not be used: ${(error as Error).message}` };
  }
}

function toEsbuildOptions(config: ServerlessConfig): BuildOptions {
  const custom = config.custom?.esbuild ?? {};
  if (custom.config !== undefined) {
    throw new Error('custom.esbuild.config names a JavaScript config file, which this benchmark does not load');
  }
  if (JSON.stringify(custom).includes('${')) {
    throw new Error('custom.esbuild uses a Serverless variable (${...}), which this benchmark cannot resolve');
  }

  const runtimeTarget = targetOfRuntime(config.provider?.runtime);
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: 'node',
    ...(runtimeTarget ? { target: runtimeTarget } : {}),
    external: [],
    exclude: ['aws-sdk'],
    ...custom,
  };

  const exclude = asStringList(merged.exclude);
  const external = [...asStringList(merged.external), ...(exclude.includes('*') ? [] : exclude)];

  const options: Record<string, unknown> = { ...merged, external };
  for (const key of PLUGIN_ONLY_KEYS) {
    delete options[key];
  }
  return options as BuildOptions;
}

/** `nodejs24.x` → `node24`, as serverless-esbuild maps AWS runtimes; undefined for other runtimes. */
function targetOfRuntime(runtime: unknown): string | undefined {
  const match = typeof runtime === 'string' ? /^nodejs(\d+)\.x$/.exec(runtime) : null;
  return match ? `node${match[1]}` : undefined;
}

function asStringList(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is string => typeof item === 'string');
}

/**
 * Parses YAML with js-yaml, which osls installs (it is not a direct dependency of this
 * project). js-yaml 3 has `safeLoad`; js-yaml 4 made `load` safe and `safeLoad` throw.
 */
function parseYaml(text: string): unknown {
  let yaml: YamlModule;
  try {
    yaml = require('js-yaml') as YamlModule;
  } catch (error) {
    throw new Error(`js-yaml is not installed (${(error as Error).message}); run npm ci`, { cause: error });
  }

  const majorVersion = Number(String((require('js-yaml/package.json') as { version: string }).version).split('.')[0]);
  return majorVersion >= 4 || yaml.safeLoad === undefined ? yaml.load(text) : yaml.safeLoad(text);
}
