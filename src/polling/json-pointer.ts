import type { JsonValue } from '../schemas/event';

/**
 * Reads the value at a JSON pointer (RFC 6901), such as `/status` or `/links/0/href`.
 * Returns undefined when a segment does not exist. The empty pointer is the whole document.
 */
export function readJsonPointer(document: JsonValue, pointer: string): JsonValue | undefined {
  if (pointer === '') {
    return document;
  }

  let current: JsonValue | undefined = document;
  for (const rawSegment of pointer.slice(1).split('/')) {
    const segment = rawSegment.replace(/~1/g, '/').replace(/~0/g, '~');

    if (Array.isArray(current)) {
      current = /^(0|[1-9]\d*)$/.test(segment) ? current[Number(segment)] : undefined;
    } else if (current !== null && typeof current === 'object') {
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return undefined;
    }

    if (current === undefined) {
      return undefined;
    }
  }
  return current;
}
