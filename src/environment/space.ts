// Spaces, after Gymnasium: what an environment emits and accepts. A box is a continuous vector
// (Float32Array), a discrete space an integer in [0, n), a dict a record of named modalities,
// some of which may be optional (missing on a step, as a label that comes late or never).

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { checkKeys } from '../options.js';
import type { Rng } from '../random.js';

export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: number;
  readonly high: number;
}

export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  /** Names of the n values, for people (a viewer, a log); they play no part in equality or membership. */
  readonly labels?: readonly string[];
}

export interface DiscreteOptions {
  /** One distinct name per value, e.g. the symbols of a grammar. */
  readonly labels?: readonly string[];
}

export interface DictSpace {
  readonly kind: 'dict';
  readonly spaces: Readonly<Record<string, Space>>;
  /** Keys that may be absent from a value (a modality missing on this step). */
  readonly optional: readonly string[];
}

export type Space = BoxSpace | DiscreteSpace | DictSpace;

/** A value of a space: Float32Array for a box, an integer for a discrete space, a record for a dict. */
export type SpaceValue = Float32Array | number | { readonly [key: string]: SpaceValue | undefined };

export function box(shape: number | readonly number[], low = -Infinity, high = Infinity): BoxSpace {
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ShapeMismatchError(`box: expected a shape of positive integers, but got [${dims.join(', ')}]`);
  }
  if (!(low <= high)) throw new ShapeMismatchError(`box: expected low <= high, but got low ${low}, high ${high}`);
  return { kind: 'box', shape: dims, low, high };
}

export function discrete(n: number, options: DiscreteOptions = {}): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new ShapeMismatchError(`discrete: expected an integer n >= 1, but got ${n}`);
  checkKeys('discrete', options, ['labels']);
  const { labels } = options;
  if (labels === undefined) return { kind: 'discrete', n };
  if (!Array.isArray(labels) || labels.length !== n || labels.some((l) => typeof l !== 'string')) {
    throw new InvalidOptionError(
      `discrete: expected option "labels" to be ${n} strings, one per value, but got ${labelsOf(labels)}`,
    );
  }
  const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
  if (repeated !== undefined) {
    throw new InvalidOptionError(
      `discrete: expected option "labels" to be distinct, but got ${JSON.stringify(repeated)} twice`,
    );
  }
  return { kind: 'discrete', n, labels: Object.freeze([...labels]) };
}

export function dict(spaces: Record<string, Space>, optional: readonly string[] = []): DictSpace {
  for (const key of optional) {
    if (!(key in spaces))
      throw new ShapeMismatchError(`dict: optional key "${key}" is not one of [${Object.keys(spaces).join(', ')}]`);
  }
  return { kind: 'dict', spaces: { ...spaces }, optional: [...optional] };
}

/** Length of the flat vector a value of this space becomes (one-hot for discrete). */
export function flatSize(space: Space): number {
  switch (space.kind) {
    case 'box':
      return space.shape.reduce((a, b) => a * b, 1);
    case 'discrete':
      return space.n;
    case 'dict':
      return Object.values(space.spaces).reduce((a, s) => a + flatSize(s), 0);
  }
}

/**
 * Throws a typed error unless `value` belongs to `space`: ShapeMismatchError for a wrong kind,
 * length or key, NonFiniteError for NaN or infinities. `where` names the caller in the message.
 */
export function assertInSpace(space: Space, value: unknown, where: string): void {
  switch (space.kind) {
    case 'box': {
      const size = flatSize(space);
      if (!(value instanceof Float32Array) && !(value instanceof Float64Array) && !Array.isArray(value)) {
        throw new ShapeMismatchError(
          `${where}: expected a Float32Array of length ${size}, but got ${describeValue(value)}`,
        );
      }
      const values = value as ArrayLike<number>;
      if (values.length !== size) {
        throw new ShapeMismatchError(
          `${where}: expected a Float32Array of length ${size}, but got length ${values.length}`,
        );
      }
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new NonFiniteError(`${where}: expected finite numbers, but got ${v} at index ${i}`);
        }
        if (v < space.low || v > space.high) {
          throw new ShapeMismatchError(
            `${where}: expected values in [${space.low}, ${space.high}], but got ${v} at index ${i}`,
          );
        }
      }
      return;
    }
    case 'discrete': {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new NonFiniteError(`${where}: expected an integer in [0, ${space.n}), but got ${value}`);
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= space.n) {
        throw new ShapeMismatchError(
          `${where}: expected an integer in [0, ${space.n}), but got ${describeValue(value)}`,
        );
      }
      return;
    }
    case 'dict': {
      if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Array.isArray(value)) {
        throw new ShapeMismatchError(
          `${where}: expected a record with keys [${Object.keys(space.spaces).join(', ')}], but got ` +
            `${describeValue(value)}`,
        );
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in space.spaces)) {
          throw new ShapeMismatchError(
            `${where}: expected keys [${Object.keys(space.spaces).join(', ')}], but got unknown key "${key}"`,
          );
        }
      }
      for (const [key, sub] of Object.entries(space.spaces)) {
        const v = record[key];
        if (v === undefined || v === null) {
          if (!space.optional.includes(key))
            throw new ShapeMismatchError(`${where}: expected key "${key}", but it is missing`);
          continue;
        }
        assertInSpace(sub, v, `${where}.${key}`);
      }
      return;
    }
  }
}

/** True when `value` belongs to `space`. */
export function contains(space: Space, value: unknown): boolean {
  try {
    assertInSpace(space, value, 'contains');
    return true;
  } catch {
    return false;
  }
}

/** A uniformly drawn value (boxes with infinite bounds draw standard normals). */
export function sample(space: Space, rng: Rng): SpaceValue {
  switch (space.kind) {
    case 'box': {
      const out = new Float32Array(flatSize(space));
      const bounded = Number.isFinite(space.low) && Number.isFinite(space.high);
      for (let i = 0; i < out.length; i++) {
        out[i] = bounded ? space.low + (space.high - space.low) * rng.float() : rng.normal();
      }
      return out;
    }
    case 'discrete':
      return rng.int(space.n);
    case 'dict': {
      const out: Record<string, SpaceValue> = {};
      for (const [key, sub] of Object.entries(space.spaces)) out[key] = sample(sub, rng);
      return out;
    }
  }
}

function labelsOf(value: unknown): string {
  if (!Array.isArray(value)) return describeValue(value);
  const odd = value.findIndex((l) => typeof l !== 'string');
  return odd < 0 ? `${value.length}` : `${describeValue(value[odd])} at index ${odd}`;
}

/** Structural equality of two spaces (used by checkers and checkpoints); labels do not count. */
export function sameSpace(a: Space, b: Space): boolean {
  return JSON.stringify(a, withoutLabels) === JSON.stringify(b, withoutLabels);
}

function withoutLabels(this: unknown, key: string, value: unknown): unknown {
  return key === 'labels' && (this as { kind?: unknown }).kind === 'discrete' ? undefined : value;
}
