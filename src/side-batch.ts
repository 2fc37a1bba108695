// Side information for a batch, packed once from plain data: per modality the values (zeros
// where missing), a presence column, and the top's input `[value ⊙ present, present]`.

import { type Tensor2D, tensor2d } from './math/index.js';
import { type ModalitySpec, type ModalityValue, writeModality } from './modality.js';

/** Plain-data side information for `rows` rows: what crosses into src from callers. */
export interface SideBatch {
  readonly rows: number;
  /** Per modality, row-major [rows, size]: the value, zeros where missing. */
  readonly values: Float32Array[];
  /** Per modality, [rows]: 1 where the modality is present. */
  readonly present: Float32Array[];
}

/** The same, as tensors, built inside the caller's tidy. */
export interface SideTensors {
  readonly values: Tensor2D[];
  readonly present: Tensor2D[];
  /** `[value, present]` per modality: what the top auto-encoder reads. */
  readonly inputs: Tensor2D[];
  /** [rows, 1]: 1 where at least one modality is present. */
  readonly anyPresent: Tensor2D;
  readonly rows: number;
}

/** Packs rows of optional modality values; missing keys (or undefined) are missing modalities. */
export function packSide(
  modalities: readonly ModalitySpec[],
  rows: ReadonlyArray<Readonly<Record<string, ModalityValue | undefined | null>>>,
  where: string,
): SideBatch {
  const values = modalities.map((m) => new Float32Array(rows.length * m.size));
  const present = modalities.map(() => new Float32Array(rows.length));
  rows.forEach((row, r) => {
    modalities.forEach((m, k) => {
      const v = row[m.name];
      if (v === undefined || v === null) return;
      writeModality(m, v, values[k]!, r * m.size, where);
      present[k]![r] = 1;
    });
  });
  return { rows: rows.length, values, present };
}

/** Side information with one categorical modality from class indices (−1: no label). */
export function sideFromLabels(modality: ModalitySpec, labels: ArrayLike<number>, where = 'sideFromLabels'): SideBatch {
  const rows = Array.from({ length: labels.length }, (_, i) => ({ [modality.name]: labels[i]! < 0 ? undefined : labels[i]! }));
  return packSide([modality], rows, where);
}

/** An all-missing side batch (prediction, unsupervised rows). */
export function emptySide(modalities: readonly ModalitySpec[], rows: number): SideBatch {
  return {
    rows,
    values: modalities.map((m) => new Float32Array(rows * m.size)),
    present: modalities.map(() => new Float32Array(rows)),
  };
}

/** Uploads a side batch. Call inside a tidy. */
export function sideTensors(modalities: readonly ModalitySpec[], side: SideBatch): SideTensors {
  const rows = side.rows;
  const any = new Float32Array(rows);
  const inputs = modalities.map((m, k) => {
    const packed = new Float32Array(rows * (m.size + 1));
    const v = side.values[k]!;
    const p = side.present[k]!;
    for (let r = 0; r < rows; r++) {
      packed.set(v.subarray(r * m.size, (r + 1) * m.size), r * (m.size + 1));
      packed[r * (m.size + 1) + m.size] = p[r]!;
      if (p[r]! > 0) any[r] = 1;
    }
    return tensor2d(packed, [rows, m.size + 1]);
  });
  return {
    rows,
    values: modalities.map((m, k) => tensor2d(side.values[k]!, [rows, m.size])),
    present: modalities.map((_, k) => tensor2d(side.present[k]!, [rows, 1])),
    inputs,
    anyPresent: tensor2d(any, [rows, 1]),
  };
}
