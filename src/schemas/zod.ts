/**
 * The zod build used by the schemas: `zod/mini`, the tree-shakable API of zod 4, with
 * only the English error messages loaded. Schema files import this module as a
 * namespace (`import * as z from './zod'`) so that esbuild keeps only the functions
 * they call; re-exporting the `zod/mini` namespace object instead would keep every
 * export, all locales included.
 */
import { config, int, maximum, minimum } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';

/** Whole number from `min` to `max`, both included. */
export function integer(min: number, max: number) {
  return int().check(minimum(min), maximum(max));
}
