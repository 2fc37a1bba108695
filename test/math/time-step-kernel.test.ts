// The sweep's fused step (time-step-kernel.ts, used by through-time.ts) gives exactly what the
// engine ops it replaces give: ĥ = h + d, then g(ĥ) − g(h) clipped per row to clip·‖d‖ and masked;
// and the whole sweep of a one-layer stack in one call gives what those steps give.

import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/math/engine.js';
import { type FusedMatrix, simdFusedEngine } from '../../src/math/fused-engine.js';
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

describe('the whole sweep in one call', () => {
  const e = simdFusedEngine;
  it.skipIf(!e).each([
    // rows, cols, steps, the steps with a top displacement, clip, activation
    [1, 64, 8, [7], 1, 'tanh'],
    [2, 32, 6, [3, 5], 0.3, 'tanh'],
    [1, 16, 5, [2], 0, 'linear'],
  ] as const)('matches the step-by-step sweep at %i rows of %i over %i steps', (rows, cols, n, tops, clip, act) => {
    const engine = e!;
    const kernel = timeStepKernel(engine)!;
    const activation = act as Activation;
    const w = engine.parameter(gaussian(cols * cols, 0.3), cols, cols);
    const b = engine.parameter(gaussian(cols, 0.1), 1, cols);
    const [swept, want] = engine.scope(() => {
      const codes = Array.from({ length: n }, () => engine.matrix(gaussian(rows * cols, 0.5), rows, cols));
      const top = Array.from({ length: n }, (_, i) =>
        (tops as readonly number[]).includes(i) ? engine.matrix(gaussian(rows * cols, 0.05), rows, cols) : null,
      );
      // An episode starts at step 2 (row 0 of it), so nothing passes from it to step 1 there.
      const continues = codes.map((_, i) =>
        engine.matrix(
          Float32Array.from({ length: rows }, (_, r) => (i === 2 && r === 0 ? 0 : 1)),
          rows,
          1,
        ),
      );
      const out = kernel.sweep(codes, top, continues, w, b, activation, clip)!;
      // The sweep as through-time.ts takes it step by step.
      const expected: (FusedMatrix | null)[] = new Array(n).fill(null);
      let future: FusedMatrix | null = null;
      for (let i = n - 1; i >= 0; i--) {
        const above = top[i];
        const d = above && future ? engine.add(above, future) : (above ?? future);
        if (!d) continue;
        if (i === 0) {
          expected[0] = engine.add(codes[0]!, d);
          break;
        }
        const anchor = engine.dense(codes[i]!, w, b, activation);
        const [target, back] = kernel.step(codes[i]!, d, w, b, activation, anchor, clip, continues[i]!);
        expected[i] = target;
        future = back;
      }
      return [out.map((m) => m && engine.read(m)), expected.map((m) => m && engine.read(m))];
    });
    expect(swept.map((t) => t === null)).toEqual(want.map((t) => t === null));
    expect(swept.filter((t) => t === null).length).toBe(n - 1 - Math.max(...tops));
    swept.forEach((t, i) => {
      if (t) expect(Array.from(t)).toEqual(Array.from(want[i]!));
    });
    engine.free([w, b]);
  });

  it('leaves to the step-by-step sweep what it cannot take (the JS engine, small or sigmoid decoders)', () => {
    for (const [name, engine] of FUSED_ENGINES) {
      const kernel = timeStepKernel(engine)!;
      const w = engine.parameter(gaussian(36, 0.3), 6, 6);
      const big = engine.parameter(gaussian(64 * 64, 0.3), 64, 64);
      const b = engine.parameter(gaussian(6, 0.1), 1, 6);
      const b64 = engine.parameter(gaussian(64, 0.1), 1, 64);
      engine.scope(() => {
        const code = engine.matrix(gaussian(6), 1, 6);
        const code64 = engine.matrix(gaussian(64), 1, 64);
        const one = engine.matrix(new Float32Array([1]), 1, 1);
        expect(kernel.sweep([code], [code], [one], w, b, 'tanh', 1)).toBeNull();
        const sigmoid = kernel.sweep([code64], [code64], [one], big, b64, 'sigmoid', 1);
        expect(sigmoid).toBeNull();
        const tanh = kernel.sweep([code64], [code64], [one], big, b64, 'tanh', 1);
        expect(tanh === null).toBe(name === 'js' || !simdFusedEngine);
      });
      engine.free([w, big, b, b64]);
    }
  });
});
