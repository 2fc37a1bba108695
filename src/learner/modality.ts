// Modalities: the named parts of a stream (observation, label, reward, action, ...), each
// continuous (a vector; squared error) or categorical (one-hot; cross-entropy), and the packing
// of their values, present or missing per row, into the top's side input.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import type { Space } from '../environment/space.js';
import { flatSize } from '../environment/space.js';

export interface ModalitySpec {
  readonly name: string;
  readonly kind: 'categorical' | 'continuous';
  readonly size: number;
}

/** A modality's value as it arrives: a class index (categorical) or a vector (continuous). */
export type ModalityValue = number | Float32Array | readonly number[];

/** Modalities of a space: a discrete space is categorical, a box continuous, a dict one per key. */
export function modalitiesOf(space: Space, name = 'observation'): ModalitySpec[] {
  switch (space.kind) {
    case 'discrete':
      return [{ name, kind: 'categorical', size: space.n }];
    case 'box':
      return [{ name, kind: 'continuous', size: flatSize(space) }];
    case 'dict':
      return Object.entries(space.spaces).flatMap(([key, sub]) => {
        if (sub.kind === 'dict')
          throw new InvalidOptionError(
            `modalitiesOf: expected a flat dict of modalities, but key "${key}" is itself a dict`,
          );
        return modalitiesOf(sub, key);
      });
  }
}

export function checkModality(spec: ModalitySpec, where: string): void {
  if (typeof spec?.name !== 'string' || spec.name.length === 0)
    throw new InvalidOptionError(`${where}: expected a modality name, but got ${describeValue(spec?.name)}`);
  if (spec.kind !== 'categorical' && spec.kind !== 'continuous') {
    throw new InvalidOptionError(
      `${where}: expected modality "${spec.name}" to be "categorical" or "continuous", but got ` +
        `${describeValue(spec.kind)}`,
    );
  }
  if (!Number.isInteger(spec.size) || spec.size < 1 || (spec.kind === 'categorical' && spec.size < 2)) {
    throw new InvalidOptionError(
      `${where}: expected modality "${spec.name}" to have an integer size >= ` +
        `${spec.kind === 'categorical' ? 2 : 1}, but got ${describeValue(spec.size)}`,
    );
  }
}

/**
 * Writes a value as the modality's flat vector (one-hot for categorical) into `out` at `offset`,
 * after checking it: a wrong index or length is a ShapeMismatchError, NaN a NonFiniteError.
 */
export function writeModality(
  spec: ModalitySpec,
  value: ModalityValue,
  out: Float32Array,
  offset: number,
  where: string,
): void {
  if (spec.kind === 'categorical') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new NonFiniteError(
        `${where}: expected "${spec.name}" to be a class index in [0, ${spec.size}), but got ${value}`,
      );
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= spec.size) {
      throw new ShapeMismatchError(
        `${where}: expected "${spec.name}" to be a class index in [0, ${spec.size}), but got ${describeValue(value)}`,
      );
    }
    for (let i = 0; i < spec.size; i++) out[offset + i] = 0;
    out[offset + value] = 1;
    return;
  }
  if (
    typeof value === 'number' ||
    value === null ||
    value === undefined ||
    typeof (value as ArrayLike<number>).length !== 'number'
  ) {
    throw new ShapeMismatchError(
      `${where}: expected "${spec.name}" to be a vector of length ${spec.size}, but got ${describeValue(value)}`,
    );
  }
  if (value.length !== spec.size)
    throw new ShapeMismatchError(
      `${where}: expected "${spec.name}" to be a vector of length ${spec.size}, but got length ${value.length}`,
    );
  for (let i = 0; i < spec.size; i++) {
    const v = value[i]!;
    if (!Number.isFinite(v))
      throw new NonFiniteError(`${where}: expected finite values in "${spec.name}", but got ${v} at index ${i}`);
    out[offset + i] = v;
  }
}
