import type { Metafile } from 'esbuild';

/** Bytes that one package or project folder contributes to a bundle. */
export interface CompositionRow {
  origin: string;
  baselineBytes: number;
  measuredBytes: number;
}

/**
 * Names the package an input file belongs to, such as `zod` or `@aws-sdk/client-ssm`
 * (the innermost `node_modules` wins), or its project folder, such as `src/steps`.
 */
export function originOfPath(filePath: string): string {
  const normalized = filePath.replace(/\\/g, '/');
  const marker = normalized.lastIndexOf('node_modules/');
  if (marker >= 0) {
    const parts = normalized.slice(marker + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? normalized);
  }

  const parts = normalized.replace(/^(\.\.\/)+/, '').split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
}

/** Minified bytes per origin in one bundle, from esbuild's `bytesInOutput`, which leaves out esbuild's own helper code. */
export function bytesByOrigin(metafile: Metafile, output: string, originOf: (inputPath: string) => string = originOfPath): Map<string, number> {
  const inputs = metafile.outputs[output]?.inputs;
  if (inputs === undefined) {
    throw new Error(`esbuild metafile has no output ${output}; outputs are ${Object.keys(metafile.outputs).join(', ')}`);
  }

  const totals = new Map<string, number>();
  for (const [inputPath, input] of Object.entries(inputs)) {
    const origin = originOf(inputPath);
    totals.set(origin, (totals.get(origin) ?? 0) + input.bytesInOutput);
  }
  return totals;
}

/** Folder of each input file, such as `node_modules/zod/v4/locales`, to find the large part of a large package. */
export function folderOfPath(filePath: string): string {
  const normalized = filePath.replace(/\\/g, '/');
  return normalized.slice(0, Math.max(0, normalized.lastIndexOf('/'))) || normalized;
}

/** Rows for every origin of either bundle, largest growth over the baseline first. */
export function compareComposition(baseline: Map<string, number>, measured: Map<string, number>): CompositionRow[] {
  const origins = new Set([...baseline.keys(), ...measured.keys()]);
  const rows = [...origins].map((origin) => ({ origin, baselineBytes: baseline.get(origin) ?? 0, measuredBytes: measured.get(origin) ?? 0 }));
  return rows.sort((a, b) => b.measuredBytes - b.baselineBytes - (a.measuredBytes - a.baselineBytes));
}
