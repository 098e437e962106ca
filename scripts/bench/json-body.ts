/**
 * Builds a JSON document of exactly `bytes` bytes (UTF-8, ASCII only): an object with
 * an `items` array of small records, like a list endpoint returns, and a `padding`
 * string that makes up the remainder.
 *
 * @throws RangeError when `bytes` is below 64, too small for the envelope.
 */
export function makeJsonBody(bytes: number): Buffer {
  const minimumBytes = 64;
  if (!Number.isSafeInteger(bytes) || bytes < minimumBytes) {
    throw new RangeError(`JSON body size ${bytes} is invalid; use a whole number of bytes of at least ${minimumBytes}`);
  }

  const envelopeBytes = '{"items":[],"padding":""}'.length;
  const items: string[] = [];
  let itemBytes = 0;

  for (let id = 0; ; id += 1) {
    const item = JSON.stringify({ id, name: `item-${id}`, active: id % 2 === 0, score: (id % 100) / 100, tags: ['alpha', 'beta'] });
    const separatorBytes = items.length > 0 ? 1 : 0;
    if (envelopeBytes + itemBytes + separatorBytes + item.length > bytes) {
      break;
    }
    items.push(item);
    itemBytes += separatorBytes + item.length;
  }

  const padding = 'x'.repeat(bytes - envelopeBytes - itemBytes);
  const text = `{"items":[${items.join(',')}],"padding":"${padding}"}`;
  if (text.length !== bytes) {
    throw new Error(`JSON body has ${text.length} bytes instead of ${bytes}`);
  }
  return Buffer.from(text, 'utf8');
}
