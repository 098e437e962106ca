import { TextDecoder } from 'node:util';

import type { JsonValue } from '../../schemas/event';

/** Encoding of the body in the `data` field of a step result. */
export type BodyEncoding = 'none' | 'json' | 'text' | 'base64';

export interface DecodedContent {
  data: JsonValue;
  bodyEncoding: BodyEncoding;
}

/** The body claims JSON but does not parse; the message names the content type. */
export class JsonParseFailed extends Error {
  constructor(readonly contentType: string, cause: unknown) {
    super(`response declared content-type "${contentType}" but its body is not valid JSON: ${(cause as Error).message}`, { cause });
    this.name = 'JsonParseFailed';
  }
}

interface MediaType {
  essence: string;
  charset: string | undefined;
}

const TEXT_TYPES = new Set([
  'application/xml',
  'application/javascript',
  'application/x-www-form-urlencoded',
  'application/x-ndjson',
  'application/graphql',
  'application/yaml',
]);

/**
 * Turns body bytes into JSON-safe data: parsed JSON when the content type is JSON
 * (`application/json` or any `+json`), text decoded by its charset for textual
 * types, and base64 for everything else. A truncated JSON body is returned as text,
 * because a cut-off document cannot be parsed.
 */
export function decodeContent(bytes: Buffer, contentType: string | undefined, truncated: boolean): DecodedContent {
  if (bytes.length === 0) {
    return { data: null, bodyEncoding: 'none' };
  }

  const media = parseMediaType(contentType);

  if (isJson(media.essence) && !truncated) {
    const text = decodeText(bytes, media.charset ?? 'utf-8');
    if (text === undefined) {
      throw new JsonParseFailed(contentType ?? '', new Error(`unknown charset "${media.charset}"`));
    }
    return { data: parseJson(text, contentType ?? ''), bodyEncoding: 'json' };
  }

  if (isJson(media.essence) || isText(media.essence) || (media.essence === '' && isUtf8(bytes))) {
    const text = decodeText(bytes, media.charset ?? 'utf-8');
    if (text !== undefined) {
      return { data: text, bodyEncoding: 'text' };
    }
  }

  return { data: bytes.toString('base64'), bodyEncoding: 'base64' };
}

function parseMediaType(contentType: string | undefined): MediaType {
  if (!contentType) {
    return { essence: '', charset: undefined };
  }

  const [type = '', ...parameters] = contentType.split(';');
  const charsetParameter = parameters
    .map((parameter) => parameter.trim())
    .find((parameter) => parameter.toLowerCase().startsWith('charset='));
  const charset = charsetParameter?.slice('charset='.length).trim().replace(/^"(.*)"$/, '$1');

  return { essence: type.trim().toLowerCase(), charset: charset || undefined };
}

function isJson(essence: string): boolean {
  return essence === 'application/json' || essence.endsWith('+json');
}

function isText(essence: string): boolean {
  return essence.startsWith('text/') || essence.endsWith('+xml') || TEXT_TYPES.has(essence);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Decoders by charset label. A decoder used without `stream` keeps no state between calls, so one per label serves every body. */
const decoders = new Map<string, TextDecoder>();

/** Decodes text by charset label; undefined when Node.js does not know the charset. */
function decodeText(bytes: Buffer, charset: string): string | undefined {
  const label = charset.toLowerCase();
  let decoder = decoders.get(label);

  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      return undefined;
    }
    decoders.set(label, decoder);
  }
  return decoder.decode(bytes);
}

function parseJson(text: string, contentType: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new JsonParseFailed(contentType, error);
  }
}
