import { execFile } from 'node:child_process';

/** Output of a finished child process. */
export interface ChildOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs the Node.js binary that runs this script (`process.execPath`, Node 24 under
 * `npm run bench`) with `args`, and resolves with its output once it exits with
 * status 0. The child gets only `PATH` from this environment, so NODE_OPTIONS and
 * the tsx loader do not leak into it. The child is killed after `timeoutMs`.
 */
export function runNode(args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`node ${args.filter((arg) => !arg.includes('\n')).join(' ')} failed: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** Parses the last non-empty line of a child's stdout as JSON. */
export function parseLastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw new Error(`child printed no JSON result; its last line was ${JSON.stringify(line)}`, { cause: error });
  }
}
