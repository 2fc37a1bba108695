// The sweep's fused step (time-step-kernel.ts, used by through-time.ts) gives exactly what the
// engine ops it replaces give: ĥ = h + d, then g(ĥ) − g(h) clipped per row to clip·‖d‖ and masked.

import { describe, expect, it } from 'vitest';
import type { FusedMatrix } from '../../src/math/fused-engine.js';
import { timeStepKernel } from '../../src/math/time-step-kernel.js';
import { Rng } from '../../src/random.js';
import { FUSED_ENGINES, gaussianValues } from '../helpers/fused.js';

const rng = new Rng(3);
const gaussian = (n: number, std = 1) => gaussianValues(rng, n, std);

describe.each(FUSED_ENGINES)('the time step kernel on the %s engine', (_, e) => {
  it.each([
    [1, 64, 0, false],
    [16, 64, 1, true],
    [3, 6, 0.5, true],
  ])('matches the ops at %i rows of %i, clip %d, masked %s', (rows, cols, clip, masked) => {
    const kernel = timeStepKernel(e)!;
    const w = e.parameter(gaussian(cols * cols, 0.3), cols, cols);
    const b = e.parameter(gaussian(cols, 0.1), 1, cols);
    const out = e.scope(() => {
      const code = e.matrix(gaussian(rows * cols, 0.5), rows, cols);
      const d = e.matrix(gaussian(rows * cols, 0.05), rows, cols);
      const anchor = e.dense(code, w, b, 'tanh');
      const mask = masked
        ? e.matrix(
            Float32Array.from({ length: rows }, (_, i) => (i % 2 ? 0 : 1)),
            rows,
            1,
          )
        : null;
      const [target, back] = kernel.step(code, d, w, b, 'tanh', anchor, clip, mask);
      const wantTarget = e.add(code, d);
      let want = e.sub(e.dense(wantTarget, w, b, 'tanh'), anchor);
      if (clip > 0) want = e.clipRowNorms(want, d, clip);
      if (mask) want = e.mul(want, mask);
      return [target, back, wantTarget, want].map((m: FusedMatrix) => e.read(m));
    });
    expect(Array.from(out[0]!)).toEqual(Array.from(out[2]!));
    expect(Array.from(out[1]!)).toEqual(Array.from(out[3]!));
    expect(out[1]!.some((v) => v !== 0)).toBe(true);
    e.free([w, b]);
  });
});
