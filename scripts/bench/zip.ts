import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** One file to put in a zip: its path on disk and its name inside the archive. */
export interface ZipEntry {
  filePath: string;
  name: string;
}

/** The part of the archiver 5 API used here; archiver ships no types and @types/archiver is not installed. */
interface ZipArchive {
  pipe(destination: NodeJS.WritableStream): void;
  append(data: Buffer, entry: { name: string; mode: number; date: Date }): void;
  finalize(): Promise<void>;
  on(event: 'error' | 'warning', listener: (error: Error) => void): void;
}

/**
 * Writes a zip the way serverless-esbuild 1.57 packages a function when `nativeZip`
 * is off: archiver's zip format with its default deflate level, each file with its
 * mode and a fixed date of 1970-01-01. Returns the size of the zip in bytes.
 *
 * archiver is installed as a dependency of serverless-esbuild, not of this project.
 */
export async function writeZip(zipPath: string, entries: readonly ZipEntry[]): Promise<number> {
  let archiver: { create(format: 'zip'): ZipArchive };
  try {
    archiver = require('archiver') as typeof archiver;
  } catch (error) {
    throw new Error(`archiver is not installed (${(error as Error).message}); run npm ci, which installs it with serverless-esbuild`, { cause: error });
  }

  mkdirSync(path.dirname(zipPath), { recursive: true });

  const archive = archiver.create('zip');
  const output = createWriteStream(zipPath);
  const closed = once(output, 'close');
  const failed = new Promise<never>((_resolve, reject) => {
    archive.on('error', reject);
    archive.on('warning', reject);
  });

  archive.pipe(output);
  for (const entry of entries) {
    archive.append(readFileSync(entry.filePath), { name: entry.name, mode: statSync(entry.filePath).mode, date: new Date(0) });
  }

  await Promise.race([Promise.all([archive.finalize(), closed]), failed]);
  return statSync(zipPath).size;
}
