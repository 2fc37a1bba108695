// The gated cell's fused passes (gated-cell-kernels.ts): the SIMD ones (kernels.wat's
// gated_forward and gated_deltas for whole vectors of columns, JS elementwise work otherwise)
// agree with the plain JS ones on every value: the cell, the gradients from a given dh, and the
// loss toward a target with and without row weights; the one-call fit gives the same, into the
// buffers it is given.

import { describe, expect, it } from 'vitest';
import { type FusedMatrix, jsFusedEngine, simdFusedEngine } from '../../src/math/fused-engine.js';
import { gatedCellKernels } from '../../src/math/gated-cell-kernels.js';
import { Rng } from '../../src/random.js';
import { gaussianValues } from '../helpers/fused.js';

const simd = simdFusedEngine!;
const js = jsFusedEngine;
type F = FusedMatrix;

const rng = new Rng(5);
const gaussian = (n: number, std = 1) => gaussianValues(rng, n, std);

function close(got: Float32Array, want: Float32Array, tolerance = 2e-5): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst).toBeLessThan(tolerance);
}

describe.skipIf(!simdFusedEngine)('the gated cell kernels', () => {
  it.each([
    [8, 7, 64],
    [3, 5, 12],
    [4, 9, 6],
  ])('agree between SIMD and JS at %i rows, %i inputs, %i units', (rows, inner, cols) => {
    const data = {
      w: gaussian(inner * cols, 0.3),
      u: gaussian(cols * cols, 0.3),
      b: gaussian(cols, 0.1),
      wz: gaussian(inner * cols, 0.3),
      uz: gaussian(cols * cols, 0.3),
      bz: gaussian(cols, 0.1),
      wr: gaussian(inner * cols, 0.3),
      ur: gaussian(cols * cols, 0.3),
      br: gaussian(cols, 0.1),
    };
    const shapes: Record<string, [number, number]> = {
      w: [inner, cols],
      u: [cols, cols],
      b: [1, cols],
      wz: [inner, cols],
      uz: [cols, cols],
      bz: [1, cols],
      wr: [inner, cols],
      ur: [cols, cols],
      br: [1, cols],
    };
    const inputs = {
      x: gaussian(rows * inner),
      context: gaussian(rows * cols, 0.5),
      target: gaussian(rows * cols, 0.5),
      dh: gaussian(rows * cols, 0.1),
      weights: Float32Array.from({ length: rows }, (_, i) => (i % 2 ? 0.25 : 1)),
    };
    const run = (e: typeof js) => {
      const k = gatedCellKernels(e)!;
      const p = Object.fromEntries(
        Object.entries(data).map(([name, v]) => [name, e.parameter(v, ...shapes[name]!)]),
      ) as unknown as Parameters<typeof k.forward>[2];
      const out = e.scope(() => {
        const x = e.matrix(inputs.x, rows, inner);
        const c = e.matrix(inputs.context, rows, cols);
        const cell = k.forward(x, c, p);
        const code = e.read(k.code(x, c, p));
        const fromDh = k.gradients(x, c, cell, e.matrix(inputs.dh, rows, cols), p);
        const plain = k.targetGradients(x, c, cell, e.matrix(inputs.target, rows, cols), null, 1 / rows, p);
        const weighted = k.targetGradients(
          x,
          c,
          cell,
          e.matrix(inputs.target, rows, cols),
          e.matrix(inputs.weights, rows, 1),
          0.5,
          p,
        );
        const into = Object.values(shapes).map(([r, c]) => e.zerosParameter(r, c));
        const fit = k.fit(x, c, e.matrix(inputs.target, rows, cols), e.matrix(inputs.weights, rows, 1), 0.5, p, into);
        const fitRead = [...fit.gradients, fit.loss].map((m) => e.read(m));
        const wrote = fit.gradients.every((g, i) => g === into[i]);
        e.free(into);
        const read = (m: F) => e.read(m);
        return {
          code,
          fit: fitRead,
          wrote,
          cell: [cell.z, cell.r, cell.uh, cell.n, cell.h].map(read),
          fromDh: fromDh.map(read),
          plain: [...plain.gradients, plain.loss].map(read),
          weighted: [...weighted.gradients, weighted.loss].map(read),
        };
      });
      e.free(Object.values(p));
      return out;
    };
    const got = run(simd);
    const want = run(js);
    for (const part of ['cell', 'fromDh', 'plain', 'weighted'] as const)
      got[part].forEach((values, i) => close(values, want[part][i]!));
    // The code alone is the forward's h.
    expect(Array.from(got.code)).toEqual(Array.from(got.cell[4]!));
    expect(Array.from(want.code)).toEqual(Array.from(want.cell[4]!));
    // The one-call fit gives the weighted gradients and loss, written into the buffers given.
    got.fit.forEach((values, i) => close(values, want.weighted[i]!));
    want.fit.forEach((values, i) => close(values, want.weighted[i]!));
    expect(got.wrote && want.wrote).toBe(true);
    // The loss is positive, and the row weights change it.
    expect(want.plain.at(-1)![0]).toBeGreaterThan(0);
    expect(want.weighted.at(-1)![0]).not.toBeCloseTo(want.plain.at(-1)![0]!, 6);
  });
});

describe('the fit with tail rows', () => {
  it.each([
    ['SIMD', 7, 1, 7, 64, true],
    ['SIMD', 5, 2, 5, 12, true],
    ['SIMD, no buffers', 4, 3, 6, 8, false],
    ['JS', 7, 1, 7, 64, true],
  ] as const)(
    'on %s: %i rows fitted and %i run forward (%i inputs, %i units) give what a fit and code give',
    (engine, head, tail, inner, cols, withInto) => {
      if (engine !== 'JS' && !simdFusedEngine) return;
      const e = engine === 'JS' ? js : simd;
      const k = gatedCellKernels(e)!;
      const shapes: [number, number][] = [
        [inner, cols],
        [cols, cols],
        [1, cols],
        [inner, cols],
        [cols, cols],
        [1, cols],
        [inner, cols],
        [cols, cols],
        [1, cols],
      ];
      const names = ['w', 'u', 'b', 'wz', 'uz', 'bz', 'wr', 'ur', 'br'];
      const params = shapes.map(([r, c]) => e.parameter(gaussian(r * c, 0.3), r, c));
      const p = Object.fromEntries(names.map((n, i) => [n, params[i]!])) as unknown as Parameters<typeof k.forward>[2];
      const rows = head + tail;
      const [x, c, t, w] = [gaussian(rows * inner), gaussian(rows * cols, 0.5), gaussian(head * cols), gaussian(head)];
      const fitOf = (useTail: boolean) =>
        e.scope(() => {
          const into = withInto ? shapes.map(([r, cc]) => e.zerosParameter(r, cc)) : null;
          const n = useTail ? rows : head;
          const fit = k.fit(
            e.matrix(x.subarray(0, n * inner), n, inner),
            e.matrix(c.subarray(0, n * cols), n, cols),
            e.matrix(t, head, cols),
            e.matrix(w, head, 1),
            0.5,
            p,
            into,
            useTail ? tail : 0,
          );
          const out = {
            values: [...fit.gradients, fit.loss].map((m) => e.read(m)),
            codes: fit.codes && e.read(fit.codes),
          };
          if (into) e.free(into);
          return out;
        });
      const joined = fitOf(true);
      const alone = fitOf(false);
      joined.values.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(alone.values[i]!)));
      expect(alone.codes).toBeUndefined();
      const code = e.scope(() =>
        e.read(
          k.code(e.matrix(x.subarray(head * inner), tail, inner), e.matrix(c.subarray(head * cols), tail, cols), p),
        ),
      );
      expect(Array.from(joined.codes!)).toEqual(Array.from(code));
      e.free(params);
    },
  );
});
