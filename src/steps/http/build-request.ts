import type { CallRequest } from '../../schemas/parse-event';
import type { SecretResolver } from '../../security/secrets';

/** Sent when the event does not set a `user-agent` header. */
export const USER_AGENT = 'durable-rest-caller/0.1 (+AWS Lambda durable function)';

export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;

  /** Lower-cased names of headers whose values came from secrets; they are dropped on a cross-origin redirect. */
  secretHeaders: Set<string>;
}

/**
 * Builds the request of one attempt: the URL with `query` appended, headers with
 * secrets resolved, and the body encoded. A string body is sent as is; any other
 * JSON value is sent as JSON with `content-type: application/json` unless the event
 * sets a content type.
 */
export async function prepareRequest(request: CallRequest, secrets: SecretResolver, idempotencyKey: string | undefined): Promise<PreparedRequest> {
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(request.query)) {
    url.searchParams.append(name, String(value));
  }

  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json, */*;q=0.5' };
  const secretHeaders = new Set<string>();

  for (const [name, value] of Object.entries(request.headers)) {
    const lowerName = name.toLowerCase();
    if (typeof value === 'string') {
      headers[lowerName] = value;
      continue;
    }
    headers[lowerName] = await secrets.resolve(value);
    secretHeaders.add(lowerName);
  }

  if (request.auth) {
    headers.authorization = `Bearer ${await secrets.resolve({ secret: request.auth.bearerSecret })}`;
    secretHeaders.add('authorization');
  }

  if (idempotencyKey !== undefined) {
    headers['idempotency-key'] = idempotencyKey;
  }

  const body = encodeBody(request.body, headers);
  return { url, method: request.method, headers, body, secretHeaders };
}

function encodeBody(body: CallRequest['body'], headers: Record<string, string>): Buffer | undefined {
  if (body === undefined) {
    return undefined;
  }

  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return Buffer.from(body, 'utf8');
  }

  headers['content-type'] ??= 'application/json';
  return Buffer.from(JSON.stringify(body), 'utf8');
}
