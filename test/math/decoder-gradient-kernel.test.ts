// The decoder gradients' fused call (decoder-gradient-kernel.ts, used by denoising-layer.ts)
// gives exactly what the engine ops it replaces give, for tanh, sigmoid and linear decoders.

import { describe, expect, it } from 'vitest';
import { decoderGradientKernel } from '../../src/math/decoder-gradient-kernel.js';
import type { FusedMatrix } from '../../src/math/fused-engine.js';
import { Rng } from '../../src/random.js';
import { FUSED_ENGINES, gaussianValues } from '../helpers/fused.js';

const rng = new Rng(4);
const gaussian = (n: number, std = 1) => gaussianValues(rng, n, std);

describe.each(FUSED_ENGINES)('the decoder gradient kernel on the %s engine', (_, e) => {
  it.each([
    [1, 64, 7, 'tanh'],
    [8, 64, 64, 'tanh'],
    [3, 5, 6, 'sigmoid'],
    [2, 16, 9, 'linear'],
  ] as const)('matches the ops at %i rows, %i → %i, %s', (rows, hiddenSize, size, activation) => {
    const kernel = decoderGradientKernel(e)!;
    const w = e.parameter(gaussian(hiddenSize * size, 0.3), hiddenSize, size);
    const b = e.parameter(gaussian(size, 0.1), 1, size);
    const batch = rows + 1;
    const out = e.scope(() => {
      const hidden = e.matrix(gaussian(rows * hiddenSize, 0.5), rows, hiddenSize);
      const target = e.matrix(gaussian(rows * size, 0.5), rows, size);
      const r = e.dense(hidden, w, b, activation);
      const got = kernel.gradients(hidden, r, target, activation, batch);
      const error = e.sub(r, target);
      const slope = activation === 'tanh' ? e.sub(1, e.square(r)) : null;
      const delta = e.mul(slope ? e.mul(error, slope) : error, 1 / batch);
      const want = [
        e.matMulAT(hidden, delta),
        e.sumRows(delta),
        delta,
        e.mul(e.sumAll(e.square(error)), 1 / (2 * batch)),
      ];
      const read = (m: FusedMatrix) => Array.from(e.read(m));
      return { got: [got.weights, got.bias, got.delta, got.loss].map(read), want: want.map(read) };
    });
    expect(out.got).toEqual(out.want);
    expect(out.got[3]![0]).toBeGreaterThan(0);
    e.free([w, b]);
  });
});
