import http from 'node:http';

import { loadSettings } from '../../src/config/settings';
import { parseEvent } from '../../src/schemas/parse-event';
import type { SecretResolver } from '../../src/security/secrets';
import { callApi, type CallApiDependencies } from '../../src/steps/http/call-api';
import { USER_AGENT } from '../../src/steps/http/build-request';

import { nowMs } from './clock';

/** Upper bounds of one request loop; it stops at whichever comes first. */
export interface LoopLimits {
  maxRequests: number;
  maxMs: number;
}

export interface LoopResult {
  requests: number;
  elapsedMs: number;
}

/** One request, start to parsed body. */
export type SendRequest = () => Promise<void>;

/** Sends requests one at a time until a limit is reached. A failed request ends the loop with its error. */
export async function runBoundedLoop(limits: LoopLimits, send: SendRequest): Promise<LoopResult> {
  const startedAt = nowMs();
  let requests = 0;

  while (requests < limits.maxRequests && nowMs() - startedAt < limits.maxMs) {
    await send();
    requests += 1;
  }
  return { requests, elapsedMs: nowMs() - startedAt };
}

/**
 * The environment a user sets to let the function call 127.0.0.1 and nothing else
 * private: the destination guard stays on with a single opened address.
 */
export const LOOPBACK_ONLY_ENVIRONMENT = { ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32' };

/** Secret resolver for events without secret references; a lookup is a bug in the benchmark. */
export const NO_SECRETS: SecretResolver = {
  resolve: async (reference) => {
    throw new Error(`the benchmark defines no secrets, but the event referenced ${reference.secret}`);
  },
};

/**
 * Creates a function that sends a GET through the HTTP step, `callApi`: destination
 * guard, request, body read, JSON decode, header redaction and the checkpoint size
 * check, with the defaults of an event that gives only `url`.
 */
export function createStepRequest(url: string): SendRequest {
  const settings = loadSettings(LOOPBACK_ONLY_ENVIRONMENT);
  const parsed = parseEvent({ url });
  if (!parsed.ok) {
    throw new Error(`benchmark event is invalid: ${JSON.stringify(parsed.problems)}`);
  }

  const dependencies: CallApiDependencies = { guard: settings.guard, redactedHeaders: settings.redactedHeaders, secrets: NO_SECRETS };
  const input = { request: parsed.request };

  return async () => {
    const result = await callApi(input, dependencies, 1);
    if (result.status !== 200 || result.bodyEncoding !== 'json') {
      throw new Error(`step returned status ${result.status} with ${result.bodyEncoding} body; expected 200 with JSON`);
    }
  };
}

/**
 * Creates a function that sends the same GET without the step. It calls
 * `http.request` with the options that src/steps/http/transport.ts sets: no agent, so
 * a new connection per request, and the step's default headers. It then reads the
 * body into a Buffer and parses it as JSON, the least a caller does to get the same data.
 */
export function createBareRequest(url: string): SendRequest {
  const target = new URL(url);
  const options: http.RequestOptions = {
    hostname: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: 'GET',
    headers: { 'user-agent': USER_AGENT, accept: 'application/json, */*;q=0.5' },
    agent: false,
  };

  return () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('end', () => {
          if (response.statusCode !== 200) {
            reject(new Error(`bare request got status ${response.statusCode}; expected 200`));
            return;
          }
          try {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve();
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      request.once('error', reject);
      request.end();
    });
}
