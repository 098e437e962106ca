import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { originOfPath } from './bundle-composition';

/** The parts of a V8 `.cpuprofile` (the format `node --cpu-prof` writes) used here. */
interface CpuProfile {
  nodes: CpuProfileNode[];

  /** Node id of the leaf frame of each sample. */
  samples: number[];

  /** Microseconds between a sample and the one before it; the first is relative to `startTime`. */
  timeDeltas: number[];

  /** Microseconds on the monotonic clock that `process.hrtime` reads. */
  startTime: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** A bundle whose frames are mapped back to their source package or project file. */
export interface ProfiledBundle {
  jsPath: string;
  mapPath: string;
}

/** Range of samples to count: from the first to the last sample that matches. */
export type ProfileWindow = { kind: 'frame-url'; url: string } | { kind: 'time'; startMicroseconds: number; endMicroseconds: number };

/** CPU time of a profile window, split by who spent it. */
export interface ProfileAttribution {
  /** Milliseconds of samples in the window, idle samples excluded. */
  busyMs: number;

  /** Milliseconds per origin, largest first. */
  byOrigin: Array<{ origin: string; ms: number }>;
}

/** Reads the one `.cpuprofile` that `--cpu-prof-dir` received. */
export function readCpuProfile(directory: string): CpuProfile {
  const files = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(`expected one .cpuprofile in ${directory}, found ${files.length}`);
  }
  return JSON.parse(readFileSync(path.join(directory, files[0] as string), 'utf8')) as CpuProfile;
}

/**
 * Splits the CPU time of the window by origin. A sample goes to the innermost frame on
 * its stack that lies in one of the bundles, mapped through the bundle's source map to
 * a package (`zod`) or project file (`src/steps/http/read-body.ts`). So time that
 * Node.js spends on behalf of bundle code, such as inside `http.request`, counts for
 * the caller. Garbage collection, loading of Node.js built-in modules and samples
 * with no bundle frame on the stack go to Node.js or V8 categories instead.
 */
export function attributeProfile(profile: CpuProfile, bundles: readonly ProfiledBundle[], window: ProfileWindow): ProfileAttribution {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }

  const sourceMaps = new Map(bundles.map((bundle) => [pathToFileURL(bundle.jsPath).href, loadSourceMap(bundle.mapPath)]));
  const originCache = new Map<number, string>();
  const originOfNode = (leafId: number): string => {
    const cached = originCache.get(leafId);
    if (cached !== undefined) {
      return cached;
    }
    const origin = findOrigin(leafId, nodes, parents, sourceMaps);
    originCache.set(leafId, origin);
    return origin;
  };

  const { first, last } = findWindow(profile, nodes, parents, window);
  const totals = new Map<string, number>();
  let busyMs = 0;

  for (let index = first; index <= last; index += 1) {
    const origin = originOfNode(profile.samples[index] as number);
    if (origin === IDLE) {
      continue;
    }

    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    busyMs += ms;
    totals.set(origin, (totals.get(origin) ?? 0) + ms);
  }

  const byOrigin = [...totals].map(([origin, ms]) => ({ origin, ms })).sort((a, b) => b.ms - a.ms);
  return { busyMs, byOrigin };
}

const IDLE = '(idle)';

function loadSourceMap(mapPath: string): SourceMap {
  return new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapPayload);
}

/** Node.js functions that load its built-in modules, such as `node:http` on first `require`. */
const BUILTIN_LOADER_FUNCTIONS = new Set(['compileForInternalLoader', 'requireBuiltin']);

/** Node.js functions that compile a CommonJS file: V8 parses the whole bundle here. */
const FILE_COMPILE_FUNCTIONS = new Set(['wrapSafe', 'compileFunction']);

function findOrigin(leafId: number, nodes: Map<number, CpuProfileNode>, parents: Map<number, number>, sourceMaps: Map<string, SourceMap>): string {
  const leaf = nodes.get(leafId)?.callFrame;
  switch (leaf?.functionName) {
    case '(idle)':
      return IDLE;
    case '(garbage collector)':
      return 'V8 garbage collector';
    case '(program)':
      return 'V8 native work outside JavaScript';
  }

  const stack: Array<CpuProfileNode['callFrame']> = [];
  for (let id: number | undefined = leafId; id !== undefined; id = parents.get(id)) {
    const frame = nodes.get(id)?.callFrame;
    if (frame) {
      stack.push(frame);
    }
  }

  if (stack.some((frame) => BUILTIN_LOADER_FUNCTIONS.has(frame.functionName))) {
    return 'Node.js loading its built-in modules';
  }

  for (const frame of stack) {
    const sourceMap = sourceMaps.get(frame.url);
    if (sourceMap) {
      return originOfBundleFrame(frame, sourceMap);
    }
  }

  if (stack.some((frame) => FILE_COMPILE_FUNCTIONS.has(frame.functionName))) {
    return 'V8 compiling the bundle file';
  }
  if (leaf?.url === '') {
    return 'Node.js native bindings (socket connect, write, close and others)';
  }
  if (leaf?.url.startsWith('node:')) {
    return 'Node.js JavaScript internals (module loader, HTTP parser callbacks, streams)';
  }
  return 'other code with no bundle frame on the stack';
}

/**
 * A profile frame gives the position where its function starts. The top-level
 * function of the file starts at 0:0 and has no mapping, because esbuild puts the
 * top-level statements of every ES module into it. esbuild's helpers that wrap
 * CommonJS modules have no mapping either.
 */
function originOfBundleFrame(frame: CpuProfileNode['callFrame'], sourceMap: SourceMap): string {
  const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber);
  if ('originalSource' in entry) {
    return originOfSource(entry.originalSource);
  }
  if (frame.lineNumber === 0 && frame.columnNumber === 0) {
    return 'bundle top level (module initialisation of every ES module)';
  }
  return 'esbuild module wrappers (they start CommonJS modules)';
}

/** Project files stay whole (`src/steps/http/call-api.ts`); dependency files collapse to their package. */
function originOfSource(source: string): string {
  const filePath = source.startsWith('file://') ? new URL(source).pathname : source;
  if (filePath.includes('node_modules/')) {
    return originOfPath(filePath);
  }

  const projectPath = filePath.replace(/^(\.\.\/)+/, '');
  const srcIndex = projectPath.search(/(^|\/)(src|scripts)\//);
  return srcIndex > 0 ? projectPath.slice(srcIndex + 1) : projectPath;
}

function findWindow(profile: CpuProfile, nodes: Map<number, CpuProfileNode>, parents: Map<number, number>, window: ProfileWindow): { first: number; last: number } {
  const matches: number[] = [];

  if (window.kind === 'frame-url') {
    profile.samples.forEach((leafId, index) => {
      if (stackHasUrl(leafId, window.url, nodes, parents)) {
        matches.push(index);
      }
    });
  } else {
    let timestamp = profile.startTime;
    profile.timeDeltas.forEach((delta, index) => {
      timestamp += delta;
      if (timestamp >= window.startMicroseconds && timestamp <= window.endMicroseconds) {
        matches.push(index);
      }
    });
  }

  if (matches.length === 0) {
    throw new Error(`no CPU profile sample lies in the window ${JSON.stringify(window)}`);
  }
  return { first: matches[0] as number, last: matches[matches.length - 1] as number };
}

function stackHasUrl(leafId: number, url: string, nodes: Map<number, CpuProfileNode>, parents: Map<number, number>): boolean {
  for (let id: number | undefined = leafId; id !== undefined; id = parents.get(id)) {
    if (nodes.get(id)?.callFrame.url === url) {
      return true;
    }
  }
  return false;
}
