import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Parent-side handle of the loopback server child process. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;

  /** URL of the JSON body of `bytes` bytes. */
  urlFor(bytes: number): string;

  /** Ends the child by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

/** How long the server child may take to start listening, in ms. */
const START_TIMEOUT_MS = 15_000;

/**
 * Starts the bundled loopback server (see loopback-server.ts) in a child process of
 * `process.execPath` and resolves once it listens on 127.0.0.1.
 *
 * @param maxLifetimeSeconds - The child exits by itself after this many seconds.
 */
export async function startLoopbackServer(serverJsPath: string, sizes: readonly number[], maxLifetimeSeconds: number): Promise<LoopbackServer> {
  const child = spawn(process.execPath, [serverJsPath, '--sizes', sizes.join(','), '--max-lifetime-seconds', String(maxLifetimeSeconds)], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });

  const port = await readPort(child);
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    urlFor: (bytes) => `${origin}/json/${bytes}`,
    stop: () => stopChild(child),
  };
}

async function readPort(child: ChildProcess): Promise<number> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timeout = AbortSignal.timeout(START_TIMEOUT_MS);

  try {
    const [line] = (await Promise.race([
      once(lines, 'line', { signal: timeout }),
      once(child, 'exit').then(([code]) => {
        throw new Error(`loopback server exited with status ${code} before it listened`);
      }),
    ])) as [string];
    return (JSON.parse(line) as { port: number }).port;
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    lines.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
