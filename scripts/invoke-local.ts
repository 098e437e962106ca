/**
 * Runs restCaller as a durable execution on this machine, with no AWS account:
 *
 *   npm run invoke:local -- -p events/custom.json [--skip-time] [--handler FILE#export]
 *
 * stdout gets only the handler's response as JSON; stderr gets the operation history
 * (each step attempt and each wait). Exit status: 0 when the execution succeeded
 * (whatever its statusCode), 1 when it failed, 2 for a usage error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js';

import { formatHistory } from '../src/local/history';
import { runDurableLocally, sendConsoleToStderr } from '../src/local/run-local';

const USAGE = `Usage: npm run invoke:local -- -p FILE [--skip-time] [--handler FILE#export]

  -p, --path FILE     JSON event to send (use {} for the default call)
  --skip-time         fast-forward retry delays and durable waits
  --handler FILE#NAME handler module and export (default src/handlers/restCaller.ts#handler)
  -h, --help          show this help`;

const DEFAULT_HANDLER = 'src/handlers/restCaller.ts#handler';

class UsageError extends Error {}

interface CliOptions {
  eventPath: string;
  skipTime: boolean;
  handlerSpec: string;
}

function readOptions(argv: string[]): CliOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        path: { type: 'string', short: 'p' },
        'skip-time': { type: 'boolean', default: false },
        handler: { type: 'string', default: DEFAULT_HANDLER },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }

  if (parsed.values.help) {
    return undefined;
  }
  if (!parsed.values.path) {
    throw new UsageError(`Missing the event file: pass -p FILE, for example -p events/default.json.\n\n${USAGE}`);
  }
  return { eventPath: parsed.values.path, skipTime: parsed.values['skip-time'] ?? false, handlerSpec: parsed.values.handler ?? DEFAULT_HANDLER };
}

function readEvent(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`Cannot read event file ${file}: ${reason}.`);
  }

  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Event file ${file} is not valid JSON: ${(error as Error).message}.`);
  }
}

function loadHandler(spec: string): DurableLambdaHandler {
  const [file = '', exportName = 'handler'] = spec.split('#');
  const modulePath = path.resolve(file);

  let loaded: Record<string, unknown>;
  try {
    loaded = require(modulePath) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Handler ${modulePath} failed to load: ${(error as Error).message}`);
  }

  const candidate = loaded[exportName];
  if (typeof candidate !== 'function') {
    throw new UsageError(`Handler module ${modulePath} has no function export "${exportName}".`);
  }
  return candidate as DurableLambdaHandler;
}

async function main(): Promise<number> {
  sendConsoleToStderr();

  const options = readOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const event = readEvent(options.eventPath);
  const handler = loadHandler(options.handlerSpec);

  const outcome = await runDurableLocally(handler, event, { skipTime: options.skipTime });

  process.stderr.write(`History of the local durable execution (${outcome.status}):\n`);
  const lines = formatHistory(outcome.history);
  for (const line of lines.length > 0 ? lines : ['(no steps or waits: the handler returned without calling the API)']) {
    process.stderr.write(`  ${line}\n`);
  }

  if (outcome.status !== 'SUCCEEDED') {
    process.stderr.write(`Execution failed: ${outcome.error?.errorType ?? 'Error'}: ${outcome.error?.errorMessage ?? 'no message'}\n`);
    return 1;
  }

  process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`invoke:local: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`invoke:local: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
