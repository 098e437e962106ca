/**
 * Child-process entry of the loopback HTTP server that the request benchmarks call.
 * It runs apart from the clients, so its CPU time does not count against them. It
 * responds to `GET /json/<bytes>` with a JSON body of that size, for each size given:
 *
 *   node loopback-server.js --sizes 1024,204800 --max-lifetime-seconds 600
 *
 * It listens on 127.0.0.1 only, at a port the system picks, and prints
 * `{"port": N}` once listening. It exits when its stdin closes (the parent ended) or
 * after the maximum lifetime, whichever comes first.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

import { makeJsonBody } from './json-body';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    'max-lifetime-seconds': { type: 'string', default: '600' },
  },
});

const sizes = (values.sizes ?? '').split(',').filter((size) => size !== '').map(Number);
const bodies = new Map(sizes.map((size) => [`/json/${size}`, makeJsonBody(size)]));

const server = http.createServer((request, response) => {
  const body = request.method === 'GET' ? bodies.get(request.url ?? '') : undefined;
  if (body === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`no body for ${request.method} ${request.url}`);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), Number(values['max-lifetime-seconds']) * 1000).unref();
