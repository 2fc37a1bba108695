// Seeded weight initialisation, drawn from the caller's Rng so the same seed gives the same
// net on either engine: Glorot-uniform for rectangular maps, orthogonal (TPTT's choice) for
// recurrent ones. Values come back as plain row-major arrays for `Engine.parameter`.

import type { Rng } from '../random.js';

export type InitKind = 'glorot' | 'orthogonal' | 'zeros';

/** A [rows, cols] matrix, uniform in ±gain·sqrt(6 / (rows + cols)). */
export function glorotUniform(rows: number, cols: number, rng: Rng, gain = 1): Float32Array {
  const limit = gain * Math.sqrt(6 / (rows + cols));
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.float() - 1) * limit;
  return values;
}

/**
 * A [rows, cols] matrix with orthonormal rows or columns (whichever are fewer), scaled by
 * `gain`: modified Gram–Schmidt on a gaussian draw.
 */
export function orthogonal(rows: number, cols: number, rng: Rng, gain = 1): Float32Array {
  const transposed = rows < cols;
  const n = transposed ? cols : rows; // length of each vector
  const k = transposed ? rows : cols; // number of orthonormal vectors
  const basis: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let v = new Float64Array(n);
    let norm = 0;
    while (norm < 1e-6) {
      v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = rng.normal();
      for (const u of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += u[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i] = v[i]! - dot * u[i]!;
      }
      norm = Math.hypot(...v);
    }
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
    basis.push(v);
  }
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = gain * (transposed ? basis[r]![c]! : basis[c]![r]!);
  }
  return values;
}

export function initialValues(kind: InitKind, rows: number, cols: number, rng: Rng): Float32Array {
  if (kind === 'zeros') return new Float32Array(rows * cols);
  return kind === 'orthogonal' ? orthogonal(rows, cols, rng) : glorotUniform(rows, cols, rng);
}
