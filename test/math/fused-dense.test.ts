// The SIMD engine's dense (the product, the bias and a tanh in the kernels' memory, one copy
// out) gives exactly what its three steps give as separate engine ops.

import { describe, expect, it } from 'vitest';
import { simdFusedEngine } from '../../src/math/fused-engine.js';
import { Rng } from '../../src/random.js';
import { gaussianValues } from '../helpers/fused.js';

const rng = new Rng(8);
const gaussian = (n: number, std = 1) => gaussianValues(rng, n, std);

describe.skipIf(!simdFusedEngine)('the SIMD dense', () => {
  const e = simdFusedEngine!;
  it.each([
    [1, 64, 64, 'tanh'],
    [16, 64, 7, 'tanh'],
    [8, 64, 64, 'linear'],
    [2, 3, 2, 'tanh'],
    [4, 16, 9, 'sigmoid'],
  ] as const)('equals matMul, add and activate at [%i, %i]·[%i], %s', (rows, inner, cols, activation) => {
    const w = e.parameter(gaussian(inner * cols, 0.4), inner, cols);
    const b = e.parameter(gaussian(cols, 0.2), 1, cols);
    const [got, want] = e.scope(() => {
      const x = e.matrix(gaussian(rows * inner), rows, inner);
      return [e.dense(x, w, b, activation), e.activate(e.add(e.matMul(x, w), b), activation)].map((m) =>
        Array.from(e.read(m)),
      );
    });
    expect(got).toEqual(want);
    expect(got!.some((v) => v !== 0)).toBe(true);
    e.free([w, b]);
  });
});
