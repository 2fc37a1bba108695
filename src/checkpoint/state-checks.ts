// Checks of saved state read back from a checkpoint, before anything is restored from it: each
// throws CheckpointError ERR_CHECKPOINT_CORRUPT naming the part that is wrong (or ERR_NON_FINITE
// for NaN or ±Infinity where a finite number was saved), so no malformed payload reaches a setter.

import { CheckpointError, describeValue } from '../errors.js';

/** What a failed check throws: `where: expected <path> to be <expected>, but got <value>`. */
export function corruptState(where: string, path: string, expected: string, value: unknown): never {
  throw new CheckpointError(
    'ERR_CHECKPOINT_CORRUPT',
    `${where}: expected ${path} to be ${expected}, but got ${describeValue(value)}`,
  );
}

/** A plain object (not an array, not a typed array); with `keys`, each of them present. */
export function stateRecord(
  where: string,
  path: string,
  value: unknown,
  keys: readonly string[] = [],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    corruptState(where, path, keys.length ? `an object with [${keys.join(', ')}]` : 'an object', value);
  }
  const record = value as Record<string, unknown>;
  const missing = keys.find((k) => !(k in record));
  if (missing !== undefined) corruptState(where, path, `an object with [${keys.join(', ')}]`, value);
  return record;
}

/** An integer in [min, max]. */
export function stateInteger(
  where: string,
  path: string,
  value: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    corruptState(where, path, `an integer ${range}`, value);
  }
  return value;
}

/** A finite number (a NaN or an infinity is ERR_NON_FINITE). */
export function stateNumber(where: string, path: string, value: unknown): number {
  if (typeof value !== 'number') corruptState(where, path, 'a finite number', value);
  if (!Number.isFinite(value)) {
    throw new CheckpointError('ERR_NON_FINITE', `${where}: expected ${path} to be finite, but got ${value}`);
  }
  return value;
}

export function stateBoolean(where: string, path: string, value: unknown): boolean {
  if (typeof value !== 'boolean') corruptState(where, path, 'a boolean', value);
  return value;
}

export function stateString(where: string, path: string, value: unknown): string {
  if (typeof value !== 'string') corruptState(where, path, 'a string', value);
  return value;
}

/** An array, of `length` entries when given. */
export function stateArray(where: string, path: string, value: unknown, length?: number): unknown[] {
  if (!Array.isArray(value))
    corruptState(where, path, length === undefined ? 'an array' : `an array of ${length}`, value);
  if (length !== undefined && value.length !== length) corruptState(where, path, `an array of ${length}`, value);
  return value;
}

/**
 * A Float32Array (as saved: checkpoints keep typed arrays typed), of `length` values when given,
 * every one finite: a NaN or an infinity, which would poison every later update, is ERR_NON_FINITE.
 */
export function stateFloats(where: string, path: string, value: unknown, length?: number): Float32Array {
  const expected = length === undefined ? 'a Float32Array' : `a Float32Array of ${length}`;
  if (!(value instanceof Float32Array)) corruptState(where, path, expected, value);
  if (length !== undefined && value.length !== length) corruptState(where, path, expected, value);
  checkFinite(where, path, value);
  return value;
}

/** Throws CheckpointError ERR_NON_FINITE at the first NaN or infinity of `values`. */
export function checkFinite(where: string, path: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new CheckpointError(
        'ERR_NON_FINITE',
        `${where}: expected ${path} to hold finite values, but got ${values[i]} at index ${i}`,
      );
    }
  }
}
