/**
 * Proves the deployable artifact. The zip that `sls package` writes is unpacked into an
 * empty temporary folder outside the project, so the bundle cannot fall back on the
 * project's node_modules. Its handler then runs a full local durable execution against
 * a loopback API, on the Node.js major of the Lambda runtime.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import yauzl from 'yauzl';

import { json, reply, startFaultServer, type FaultServer } from '../support/fault-server';
import { describeResult, isolatedEnvironment, makeTempDir, runNode, runSls, SERVICE_DIR, SLS_TIMEOUT_MS } from '../support/sls';

/** Node.js major of the `nodejs24.x` runtime in serverless.yml. */
const LAMBDA_NODE_MAJOR = 24;

const TSX_CLI = path.join(SERVICE_DIR, 'node_modules/tsx/dist/cli.mjs');
const INVOKE_LOCAL = path.join(SERVICE_DIR, 'scripts/invoke-local.ts');

/** Extracts every file of a zip into `target` and returns the entry names. */
function extractZip(zipPath: string, target: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) {
        reject(openError ?? new Error(`cannot open ${zipPath}`));
        return;
      }

      const names: string[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const file = path.join(target, entry.fileName);
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function runInvokeLocal(args: string[], env: NodeJS.ProcessEnv) {
  return runNode([TSX_CLI, INVOKE_LOCAL, ...args], env);
}

describe('packaged restCaller zip', () => {
  let extracted: string;
  let entries: string[];
  let server: FaultServer;

  beforeAll(async () => {
    const packageDir = makeTempDir('bundle');
    const result = await runSls(['package', '--stage', 'dev', '--package', packageDir], isolatedEnvironment());
    if (result.exitCode !== 0) {
      throw new Error(`sls package failed: ${describeResult(result)}`);
    }

    extracted = makeTempDir('bundle-extracted');
    entries = await extractZip(path.join(packageDir, 'restCaller.zip'), extracted);
    server = await startFaultServer({ '/items/1': [reply(503), json(200, { id: 1, source: 'bundle' })] });
  }, SLS_TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
  });

  it('runs on the Lambda Node major', () => {
    const major = Number(process.versions.node.split('.')[0]);

    expect(major).toBe(LAMBDA_NODE_MAJOR);
  });

  it('contains the bundle and its source map', () => {
    const map = JSON.parse(readFileSync(path.join(extracted, 'src/handlers/restCaller.js.map'), 'utf8')) as { sources: string[] };

    expect(entries).toContain('src/handlers/restCaller.js');
    expect(entries.some((name) => name.includes('node_modules/'))).toBe(false);
    expect(map.sources.some((source) => source.endsWith('src/handlers/restCaller.ts'))).toBe(true);
  });

  it('runs a durable execution from the zip', async () => {
    const eventFile = path.join(extracted, 'event.json');
    writeFileSync(eventFile, JSON.stringify({ url: server.url('/items/1'), retry: { initialDelaySeconds: 1 } }));
    const handler = `${path.join(extracted, 'src/handlers/restCaller.js')}#handler`;
    const env = { ...isolatedEnvironment(), ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32' };

    const result = await runInvokeLocal(['-p', eventFile, '--skip-time', '--handler', handler], env);

    expect({ exitCode: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const response = JSON.parse(result.stdout) as { statusCode: number; body: string };
    const body = JSON.parse(response.body) as { data: unknown; attempts: number };
    expect(response.statusCode).toBe(200);
    expect(body.data).toEqual({ id: 1, source: 'bundle' });
    expect(body.attempts).toBe(2);
    expect(result.stderr).toContain('attempt 1: HttpStatusError');
  });

  it('rejects an invalid setting at cold start', async () => {
    const eventFile = path.join(extracted, 'empty-event.json');
    writeFileSync(eventFile, '{}');
    const handler = `${path.join(extracted, 'src/handlers/restCaller.js')}#handler`;
    const env = { ...isolatedEnvironment(), ALLOW_PRIVATE_NETWORKS: '127.0.0.1/99' };

    const result = await runInvokeLocal(['-p', eventFile, '--handler', handler], env);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ALLOW_PRIVATE_NETWORKS');
    expect(result.stderr).toContain('127.0.0.1/99');
  });
});
