/**
 * The zod build used by the schemas: `zod/mini`, the tree-shakable API of zod 4, with
 * the English error messages loaded. The classic `zod` entry point adds about 450 KB
 * of minified code to the Lambda bundle (measured with esbuild 0.28); `zod/mini` with
 * the English locale adds about 30 KB.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

/** Whole number from `min` to `max`, both included. */
export function integer(min: number, max: number) {
  return z.int().check(z.minimum(min), z.maximum(max));
}

export { z };
