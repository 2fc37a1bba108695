// Side information for a batch, packed once from plain data: per modality the values (zeros
// where missing), a presence column, and the top's input `[value ⊙ present, present]`.

import type { Engine } from '../math/index.js';
import { type ModalitySpec, type ModalityValue, writeModality } from './modality.js';

/** Plain-data side information for `rows` rows: what crosses into src from callers. */
export interface SideBatch {
  readonly rows: number;
  /** Per modality, row-major [rows, size]: the value, zeros where missing. */
  readonly values: Float32Array[];
  /** Per modality, [rows]: 1 where the modality is present. */
  readonly present: Float32Array[];
}

/** The same, uploaded to an engine. */
export interface SideMatrices<M> {
  readonly values: M[];
  /** Per modality, [rows, 1]. */
  readonly present: M[];
  /** `[value, present]` per modality: what the top auto-encoder reads. */
  readonly inputs: M[];
  /** [rows, 1]: 1 where at least one modality is present. */
  readonly anyPresent: M;
  readonly rows: number;
}

/** `side` with more rows after its own, every modality missing there. */
export function padSide(side: SideBatch, rows: number): SideBatch {
  const values = side.values.map((v) => {
    const out = new Float32Array((v.length / side.rows) * rows);
    out.set(v);
    return out;
  });
  const present = side.present.map((p) => {
    const out = new Float32Array(rows);
    out.set(p);
    return out;
  });
  return { rows, values, present };
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
  const rows = Array.from({ length: labels.length }, (_, i) => ({
    [modality.name]: labels[i]! < 0 ? undefined : labels[i]!,
  }));
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

/** Stacks side batches row-wise (their rows in order); one batch is returned as it is. */
export function concatSide(batches: readonly SideBatch[]): SideBatch {
  if (batches.length === 1) return batches[0]!;
  const rows = batches.reduce((n, b) => n + b.rows, 0);
  const join = (pick: (b: SideBatch) => Float32Array[], k: number): Float32Array => {
    const out = new Float32Array(batches.reduce((n, b) => n + pick(b)[k]!.length, 0));
    let at = 0;
    for (const b of batches) {
      out.set(pick(b)[k]!, at);
      at += pick(b)[k]!.length;
    }
    return out;
  };
  const modalities = batches[0]!.values.length;
  return {
    rows,
    values: Array.from({ length: modalities }, (_, k) => join((b) => b.values, k)),
    present: Array.from({ length: modalities }, (_, k) => join((b) => b.present, k)),
  };
}

/**
 * Uploads a side batch. Call inside a scope. `inputs` is packed on first read, in the scope open
 * then (only a top auto-encoder reads it: a readout top never packs it).
 */
export function sideMatrices<M>(e: Engine<M>, modalities: readonly ModalitySpec[], side: SideBatch): SideMatrices<M> {
  const rows = side.rows;
  const any = new Float32Array(rows);
  for (const p of side.present) for (let r = 0; r < rows; r++) if (p[r]! > 0) any[r] = 1;
  let inputs: M[] | null = null;
  const pack = (): M[] =>
    modalities.map((m, k) => {
      const packed = new Float32Array(rows * (m.size + 1));
      const v = side.values[k]!;
      const p = side.present[k]!;
      for (let r = 0; r < rows; r++) {
        packed.set(v.subarray(r * m.size, (r + 1) * m.size), r * (m.size + 1));
        packed[r * (m.size + 1) + m.size] = p[r]!;
      }
      return e.matrix(packed, rows, m.size + 1);
    });
  return {
    rows,
    values: modalities.map((m, k) => e.matrix(side.values[k]!, rows, m.size)),
    present: modalities.map((_, k) => e.matrix(side.present[k]!, rows, 1)),
    get inputs(): M[] {
      inputs ??= pack();
      return inputs;
    },
    anyPresent: e.matrix(any, rows, 1),
  };
}
