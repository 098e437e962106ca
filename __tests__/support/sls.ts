/**
 * Runs the project's Serverless CLI (osls, the `serverless` dev dependency) in a child
 * process with an isolated environment, so that a test cannot use the developer's AWS
 * credentials or profile.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Root of this repository, where serverless.yml is. */
export const SERVICE_DIR = path.resolve(__dirname, '../..');

/** osls entry point, run with the Node binary that runs the tests. */
const SLS_BIN = path.join(SERVICE_DIR, 'node_modules/serverless/bin/serverless.js');

/** Limit for one CLI run, in ms. Generous, because `sls package` bundles with esbuild and a busy CI runner is slow. */
export const SLS_TIMEOUT_MS = 120_000;

export interface SlsResult {
  /** Exit code, or null when the process ended by a signal. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Creates a temporary directory, e.g. for `HOME` or `--package`. The tests leave these
 * directories for the operating system to clean, so a failed run can be inspected.
 */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `durable-rest-caller-${prefix}-`));
}

/**
 * Builds an environment from scratch instead of copying the test process's: only
 * `PATH`, a fresh `HOME` with no AWS config or credentials files, dummy credentials,
 * region us-east-1, and `extra` on top.
 *
 * The dummy credentials keep the AWS SDK's credential chain from probing the EC2
 * instance metadata address, and `AWS_EC2_METADATA_DISABLED` turns that probe off too.
 * osls 4.3.1 sends no telemetry and checks for no updates (its source has no such
 * code), so no variable is needed to turn those off.
 */
export function isolatedEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = makeTempDir('home');

  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, '.aws/config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws/credentials'),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/**
 * Runs `sls ARGS` in the service directory and collects its output. stdin is empty, so
 * a command that reads its event from stdin gets none instead of waiting.
 */
export function runSls(args: string[], env: NodeJS.ProcessEnv): Promise<SlsResult> {
  return runNode([SLS_BIN, ...args], env);
}

/** Runs the Node binary of the tests with `args` in the service directory and collects its output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<SlsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: SERVICE_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SLS_TIMEOUT_MS,
    });

    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** Formats a result for a failure message, so a failed assertion shows what the CLI printed. */
export function describeResult(result: SlsResult): string {
  return `exit code ${result.exitCode}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}
