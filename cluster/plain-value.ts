// Values as the bridge's messages carry them: plain msgpack only, so a Float32Array (anywhere in
// a value) travels as a `bin` of its little-endian bytes and comes back as a Float32Array.

/** Thrown by `typedValue` for a bin that cannot be float32s. */
export class PlainValueError extends Error {}

/** Float32Arrays (other typed arrays are converted) as their bytes; maps and arrays walked 5 deep. */
export function plainValue(value: unknown, depth = 0): unknown {
  if (value instanceof Float32Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (ArrayBuffer.isView(value)) return plainValue(Float32Array.from(value as unknown as ArrayLike<number>), depth);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => plainValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainValue(v, depth + 1);
  return out;
}

/** Bins (anywhere) back to Float32Arrays; a bin whose length is not a multiple of 4 throws PlainValueError. */
export function typedValue(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    if (value.byteLength % 4 !== 0)
      throw new PlainValueError(`a float32 bin of ${value.byteLength} bytes (not a multiple of 4)`);
    return new Float32Array(new Uint8Array(value).buffer); // copied: aligned
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(typedValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typedValue(v);
  return out;
}
