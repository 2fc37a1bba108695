// Option checking shared by the built-in environments: each constructor validates its options
// once, and an invalid or unknown option throws InvalidOptionError naming the option.

import { CheckpointError, InvalidOptionError, describeValue } from '../src/errors.js';
import { stateRecord } from '../src/checkpoint/state-checks.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `options` over `defaults` (an `undefined` value keeps the default) after rejecting
 * keys that `defaults` does not have. The result still needs each value checked.
 */
export function environmentOptions<T extends object>(
  where: string,
  options: unknown,
  defaults: T,
): Record<keyof T, unknown> {
  if (options === undefined || options === null) return { ...defaults } as Record<keyof T, unknown>;
  if (!isPlainObject(options)) {
    throw new InvalidOptionError(`${where}: expected an options object, but got ${describeValue(options)}`);
  }
  const known = Object.keys(defaults);
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new InvalidOptionError(
        `${where}: expected options among [${known.join(', ')}], but got unknown option "${key}"`,
      );
    }
    if (value !== undefined) merged[key] = value;
  }
  return merged as Record<keyof T, unknown>;
}

function show(value: unknown): string {
  if (Array.isArray(value) && value.length <= 16) return `[${value.map((v) => describeValue(v)).join(', ')}]`;
  return describeValue(value);
}

/** An integer in [min, max]. */
export function integerOption(where: string, name: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidOptionError(
      `${where}: expected option "${name}" to be an integer ${range}, but got ${show(value)}`,
    );
  }
  return value;
}

/** A finite number >= min. */
export function numberOption(where: string, name: string, value: unknown, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const range = min === -Infinity ? 'a finite number' : `a finite number >= ${min}`;
    throw new InvalidOptionError(`${where}: expected option "${name}" to be ${range}, but got ${show(value)}`);
  }
  return value;
}

export function booleanOption(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(`${where}: expected option "${name}" to be a boolean, but got ${show(value)}`);
  }
  return value;
}

/**
 * A non-empty array whose every entry passes `accept`; `expected` describes the entries for the
 * message. The array is copied, so later edits by the caller do not reach the environment.
 */
export function arrayOption(
  where: string,
  name: string,
  value: unknown,
  expected: string,
  accept: (entry: unknown) => boolean,
): number[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(accept)) {
    throw new InvalidOptionError(
      `${where}: expected option "${name}" to be a non-empty array of ${expected}, but got ${show(value)}`,
    );
  }
  return [...(value as number[])];
}

/** The seed a `reset` was given (undefined: none); anything but a safe integer is an InvalidOptionError. */
export function resetSeed(where: string, options: { readonly seed?: unknown } | undefined): number | undefined {
  const seed = options?.seed;
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    throw new InvalidOptionError(
      `${where}.reset: expected option "seed" to be an integer, but got ${describeValue(seed)}`,
    );
  return seed;
}

/** Refuses another environment's state (ERR_CHECKPOINT_MISMATCH), told apart before its keys are checked. */
export function checkStateOwner(where: string, state: unknown, owner: string): void {
  const kind = stateRecord(where, 'the state', state, ['environment']).environment;
  if (kind !== owner)
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected the state of a ${owner}, but got one of ${describeValue(kind)}`,
    );
}
