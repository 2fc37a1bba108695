import { describe, expect, it } from 'vitest';
import { DenoisingLayer, type DenoisingLayerConfig } from '../../src/learner/denoising-layer.js';
import { createOptimizer } from '../../src/optim/local-optimizer.js';
import { Rng } from '../../src/random.js';
import { ENGINES, liveTensors, useEngine } from '../helpers/engine.js';
import { checkerboard } from '../helpers/synthetic.js';

useEngine();

const base: DenoisingLayerConfig = {
  inputs: [{ size: 8, units: 'linear' }],
  size: 16,
  units: 'tanh',
  corruption: { kind: 'gaussian', level: 0.1 },
  noise: 0,
  decoderTarget: 'corrupted',
  encoderReconstructionWeight: 0,
};

const rowsOf = (values: Float32Array, cols: number): number[][] =>
  Array.from({ length: values.length / cols }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));

describe.each(ENGINES)('DenoisingLayer on the %s engine', (_, e) => {
  describe('#encoderGradients', () => {
    it('matches the hand-computed delta rule xᵀ·((h − ĥ) ⊙ (1 − h²)) / batch', () => {
      const layer = new DenoisingLayer(e, base, new Rng(1));
      const xs = Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i));
      const [computed, h] = e.scope(() => {
        const x = e.matrix(xs, 3, 8);
        const { mean } = layer.encode([x], false);
        const { pairs } = layer.encoderGradients([x], mean, e.add(mean, 0.1));
        return [e.read(pairs[0]![1]), e.read(mean)];
      });
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 16; j++) {
          let g = 0;
          for (let r = 0; r < 3; r++) g += (xs[r * 8 + i]! * -0.1 * (1 - h[r * 16 + j]! ** 2)) / 3;
          expect(computed[i * 16 + j]!).toBeCloseTo(g, 5);
        }
      }
      layer.dispose();
    });

    it('is the gradient of ½‖f(x) − ĥ‖² / batch, as finite differences show', () => {
      const layer = new DenoisingLayer(e, base, new Rng(2));
      const xs = Float32Array.from({ length: 2 * 8 }, (_, i) => Math.cos(i));
      const ts = Float32Array.from({ length: 2 * 16 }, (_, i) => 0.3 * Math.sin(3 * i));
      const w = rowsOf(e.read(layer.weights[0]!), 16);
      const loss = (wm: number[][]): number => {
        let s = 0;
        for (let r = 0; r < 2; r++) {
          for (let j = 0; j < 16; j++) {
            let pre = 0;
            for (let i = 0; i < 8; i++) pre += xs[r * 8 + i]! * wm[i]![j]!;
            s += (Math.tanh(pre) - ts[r * 16 + j]!) ** 2;
          }
        }
        return s / 4;
      };
      const analytic = e.scope(() => {
        const x = e.matrix(xs, 2, 8);
        const { mean } = layer.encode([x], false);
        return e.read(layer.encoderGradients([x], mean, e.matrix(ts, 2, 16)).pairs[0]![1]);
      });
      for (const [i, j] of [
        [0, 0],
        [3, 7],
        [7, 15],
      ] as const) {
        const eps = 1e-3;
        const up = w.map((row) => row.slice());
        const down = w.map((row) => row.slice());
        up[i]![j]! += eps;
        down[i]![j]! -= eps;
        expect(analytic[i * 16 + j]!).toBeCloseTo((loss(up) - loss(down)) / (2 * eps), 4);
      }
      layer.dispose();
    });
  });

  describe('#decoderGradients', () => {
    it('teaches the decoder to invert the encoder: reconstruction error falls more than 5 times', () => {
      const data = checkerboard(512, 3);
      const layer = new DenoisingLayer(e, { ...base, corruption: { kind: 'gaussian', level: 0.05 } }, new Rng(3));
      const optimizer = createOptimizer(e, { kind: 'adam', learningRate: 0.01 });
      const error = (): number =>
        e.scope(() => {
          const x = e.matrix(data.inputs, data.rows, 8);
          const rec = layer.decode(layer.encode([x], false).mean)[0]!;
          return e.read(e.sumAll(e.square(e.sub(rec, x))))[0]! / data.rows;
        });
      const before = error();
      for (let step = 0; step < 300; step++) {
        e.scope(() => {
          const from = (step * 32) % data.rows;
          optimizer.apply(
            layer.decoderGradients([e.matrix(data.inputs.slice(from * 8, (from + 32) * 8), 32, 8)]).pairs,
          );
        });
      }
      expect(error()).toBeLessThan(before / 5);
      optimizer.dispose();
      layer.dispose();
    });

    it('corrupts with masking and salt-and-pepper too, without leaking', () => {
      for (const kind of ['masking', 'salt-and-pepper', 'none'] as const) {
        const layer = new DenoisingLayer(
          e,
          { ...base, inputs: [{ size: 8, units: 'tanh' }], corruption: { kind, level: 0.3 } },
          new Rng(4),
        );
        const before = liveTensors();
        const loss = e.scope(
          () => e.read(layer.decoderGradients([e.matrix(new Float32Array(4 * 8).fill(0.5), 4, 8)]).loss)[0]!,
        );
        expect(Number.isFinite(loss)).toBe(true);
        expect(liveTensors()).toBe(before);
        layer.dispose();
      }
    });
  });

  describe('#propagateTarget', () => {
    it('returns the input exactly when the target equals the code (difference form), g(ĥ) in the plain form', () => {
      const layer = new DenoisingLayer(
        e,
        {
          ...base,
          inputs: [
            { size: 8, units: 'tanh' },
            { size: 16, units: 'tanh', init: 'orthogonal' },
          ],
        },
        new Rng(5),
      );
      const xs = Float32Array.from({ length: 8 }, (_, i) => 0.1 * i);
      const cs = Float32Array.from({ length: 16 }, (_, i) => -0.05 * i);
      const plain = (v: Float32Array): number[] => Array.from(v, (x) => x + 0); // −0 equals 0
      e.scope(() => {
        const x = e.matrix(xs, 1, 8);
        const c = e.matrix(cs, 1, 16);
        const { code } = layer.encode([x, c], false);
        const [tx, tc] = layer.propagateTarget([x, c], code, code, 'difference');
        expect(plain(e.read(tx!))).toEqual(plain(Float32Array.from(xs)));
        expect(plain(e.read(tc!))).toEqual(plain(Float32Array.from(cs)));
        const moved = e.mul(code, 1.1);
        const [px] = layer.propagateTarget([x, c], code, moved, 'plain');
        expect(Array.from(e.read(px!))).toEqual(Array.from(e.read(layer.decode(moved)[0]!)));
      });
      layer.dispose();
    });
  });
});
