import { describe, expect, it } from 'vitest';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { StraightThroughBackprop } from '../../src/baselines/straight-through-backprop.js';
import type { Units } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { liveTensors, useEngine } from '../helpers/engine.js';
import { type Dataset, accuracy, checkerboard, smallDigits } from '../helpers/synthetic.js';
import { batch } from '../helpers/train.js';

useEngine();
const board = { train: checkerboard(2000, 1), test: checkerboard(1000, 2) };
const two = (size: number, units: Units) => [
  { size, units },
  { size, units },
];

/** Seeded batches of 32 for `epochs`, then the held-out accuracy. */
function heldOut(net: StraightThroughBackprop, data: { train: Dataset; test: Dataset }, epochs: number): number {
  const rng = new Rng(4);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: data.train.rows }, (_, i) => i));
    for (let s = 0; s < data.train.rows; s += 32) {
      const b = batch(data.train, order.slice(s, s + 32));
      net.train(b.inputs, b.labels.length, b.labels);
    }
  }
  return accuracy(net.predict(data.test.inputs, data.test.rows), data.test.labels, data.test.classes);
}

describe('StraightThroughBackprop', () => {
  describe('#train', () => {
    it('is plain backprop on continuous units: it follows tfjs autodiff (FeedForwardBackprop) step for step', () => {
      const layers = [6, { size: 5, units: 'sigmoid' as const }];
      const ste = new StraightThroughBackprop({ inputSize: 8, classes: 2, layers, seed: 2, engine: 'tfjs' });
      const bp = new FeedForwardBackprop({ inputSize: 8, classes: 2, layers, seed: 2 });
      const b = batch(
        board.train,
        Array.from({ length: 40 }, (_, i) => i),
      );
      for (let i = 0; i < 20; i++)
        expect(ste.train(b.inputs, 40, b.labels)).toBeCloseTo(bp.train(b.inputs, 40, b.labels), 5);
      const a = ste.predict(b.inputs, 40);
      const c = bp.predict(b.inputs, 40);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - c[i]!)).toBeLessThan(1e-5);
      ste.dispose();
      bp.dispose();
    });

    it('learns the checkerboard through two layers of sign units', () => {
      const net = new StraightThroughBackprop({ inputSize: 8, classes: 2, layers: two(32, 'sign'), seed: 3 });
      expect(heldOut(net, board, 10)).toBeGreaterThan(0.9); // measured 0.95
      net.dispose();
    });

    it('learns small digits through two layers of binary stochastic units', () => {
      const digits = smallDigits(2000, 1000);
      const net = new StraightThroughBackprop({ inputSize: 196, classes: 10, layers: two(128, 'binary'), seed: 3 });
      expect(heldOut(net, digits, 3)).toBeGreaterThan(0.5); // chance is 0.1
      net.dispose();
    });

    it('computes the same learning on the tfjs and the fused engine (Bernoulli draws included)', () => {
      const run = (engine: 'tfjs' | 'fused'): Float32Array => {
        const layers = [{ size: 12, units: 'binary' as const }, { size: 10, units: 'sign' as const }, 8];
        const net = new StraightThroughBackprop({ inputSize: 8, classes: 2, layers, seed: 9, engine });
        const b = batch(
          board.train,
          Array.from({ length: 50 }, (_, i) => i),
        );
        for (let i = 0; i < 30; i++) net.train(b.inputs, 50, b.labels);
        const p = net.predict(b.inputs, 50);
        net.dispose();
        return p;
      };
      const a = run('tfjs');
      const b = run('fused');
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst).toBeLessThan(1e-3);
    });

    it('learns the checkerboard through two layers of noisy sign units, and refuses a negative noise', () => {
      const layers = two(32, 'sign');
      const net = new StraightThroughBackprop({ inputSize: 8, classes: 2, layers, seed: 3, noise: 0.3 });
      expect(heldOut(net, board, 10)).toBeGreaterThan(0.88); // measured 0.935 (without noise 0.95)
      net.dispose();
      // The draws change what a step learns: the same seed and batch without noise ends elsewhere.
      const b = batch(
        board.train,
        Array.from({ length: 32 }, (_, i) => i),
      );
      const learnedWith = (noise: number) => {
        const one = new StraightThroughBackprop({ inputSize: 8, classes: 2, layers, seed: 3, noise });
        one.train(b.inputs, 32, b.labels);
        const p = one.predict(b.inputs, 32);
        one.dispose();
        return p;
      };
      expect(learnedWith(0.3)).not.toEqual(learnedWith(0));
      expect(() => new StraightThroughBackprop({ inputSize: 8, classes: 2, layers, noise: -1 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    });

    it('throws a ShapeMismatchError naming what it expected when the inputs and labels disagree', () => {
      const net = new StraightThroughBackprop({ inputSize: 4, classes: 2, layers: [3], seed: 1 });
      expect(() => net.train(new Float32Array(8), 2, [0])).toThrow(
        'StraightThroughBackprop.train: expected 2 rows of 4 inputs and 2 labels, but got 8 values and 1 labels',
      );
      net.dispose();
    });
  });

  it('keeps the tensor count flat while training and frees everything on dispose (tfjs engine)', () => {
    const before = liveTensors();
    const layers = [
      { size: 6, units: 'sign' as const },
      { size: 5, units: 'binary' as const },
    ];
    const net = new StraightThroughBackprop({ inputSize: 4, classes: 2, layers, seed: 1, engine: 'tfjs' });
    const x = Float32Array.from({ length: 8 }, (_, i) => i / 8);
    net.train(x, 2, [0, 1]); // optimiser slots are made on the first step
    const warm = liveTensors();
    for (let i = 0; i < 10; i++) net.train(x, 2, [0, 1]);
    net.predict(x, 2);
    expect(liveTensors()).toBe(warm);
    net.dispose();
    expect(liveTensors()).toBe(before);
  });
});
