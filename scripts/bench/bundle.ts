import path from 'node:path';

import { build, type BuildOptions, type Metafile } from 'esbuild';

/** One bundled entry point, laid out as serverless-esbuild lays it out in its build folder. */
export interface BundleOutput {
  /** Absolute paths of the bundle and its source map. */
  jsPath: string;
  mapPath: string;

  /** Paths of the two files inside the deployment zip, such as `src/handlers/restCaller.js`. */
  jsZipName: string;
  mapZipName: string;

  metafile: Metafile;

  /** Key of the bundle in `metafile.outputs`: its path relative to the project root. */
  metafileOutput: string;
}

/**
 * Bundles one entry point with `options`, one build per entry as serverless-esbuild
 * does for `package.individually`. The output goes to `<buildDir>/<dir of entry>/`,
 * so its path below `buildDir` is also its name inside the zip.
 *
 * @param entry - Path of the entry point relative to `projectRoot`.
 */
export async function bundleEntry(projectRoot: string, buildDir: string, entry: string, options: BuildOptions): Promise<BundleOutput> {
  const outdir = path.join(buildDir, path.dirname(entry));
  const result = await build({
    ...options,
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outdir,
    metafile: true,
    logLevel: 'warning',
  });

  const jsPath = path.join(outdir, `${path.basename(entry, path.extname(entry))}.js`);
  const jsZipName = path.relative(buildDir, jsPath).split(path.sep).join('/');
  return {
    jsPath,
    mapPath: `${jsPath}.map`,
    jsZipName,
    mapZipName: `${jsZipName}.map`,
    metafile: result.metafile,
    metafileOutput: path.relative(projectRoot, jsPath).split(path.sep).join('/'),
  };
}
