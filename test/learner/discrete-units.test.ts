// Discrete units trained by target propagation: every learning claim is checked against a frozen
// copy, the same net (same seed, same batches) with the named layers' encoders put back after
// every step, so a pass cannot come from a readout of random discrete features.

import { describe, expect, it } from 'vitest';
import { DenoisingLayer } from '../../src/learner/denoising-layer.js';
import { FeedForwardStack, type FeedForwardStackOptions } from '../../src/learner/feed-forward-stack.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { fusedEngine } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { useEngine } from '../helpers/engine.js';
import { type Dataset, accuracy, checkerboard, smallDigits } from '../helpers/synthetic.js';
import { batch } from '../helpers/train.js';

useEngine();
const board = { train: checkerboard(2000, 1), test: checkerboard(1000, 2) };
let smallDigitSets: { train: Dataset; test: Dataset } | null = null;
/** 14×14 digits, 2,000 for training and 1,000 held out, loaded once for the tests that need them. */
const digits = () => (smallDigitSets ??= smallDigits(2000, 1000));
const two = (size: number, units: 'binary' | 'sign') => [
  { size, units },
  { size, units },
];

/**
 * Trains a stack on `data` in seeded batches of 32 for `epochs` and returns its held-out accuracy; the encoders of the
 * layers in `frozen` keep their initial weights (restored after each step).
 */
function heldOut(
  options: Omit<FeedForwardStackOptions, 'inputSize' | 'modalities'>,
  data: { train: Dataset; test: Dataset },
  epochs: number,
  frozen: readonly number[] = [],
): number {
  const label = { name: 'label', kind: 'categorical' as const, size: data.train.classes };
  const stack = new FeedForwardStack({ ...options, inputSize: data.train.width, modalities: [label] });
  const e = stack.engine;
  const initial = frozen.map((l) => stack.layers[l]!.encoderParameters.map((p) => e.read(p)));
  const rng = new Rng(4);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: data.train.rows }, (_, i) => i));
    for (let s = 0; s < data.train.rows; s += 32) {
      const b = batch(data.train, order.slice(s, s + 32));
      stack.train(b.inputs, b.labels.length, sideFromLabels(label, b.labels));
      frozen.forEach((l, i) =>
        stack.layers[l]!.encoderParameters.forEach((p, k) =>
          e.scope(() => e.assign(p, e.matrix(initial[i]![k]!, e.rows(p), e.cols(p)))),
        ),
      );
    }
  }
  const acc = accuracy(stack.predict(data.test.inputs, data.test.rows)[0]!, data.test.labels, data.test.classes);
  stack.dispose();
  return acc;
}

describe('DenoisingLayer', () => {
  const e = fusedEngine;
  /** A layer of 3 units over 2 linear inputs, on the fused engine. */
  const layer = (units: 'binary' | 'sign' | 'tanh', noise = 0) =>
    new DenoisingLayer(
      e,
      {
        inputs: [{ size: 2, units: 'linear' }],
        size: 3,
        units,
        corruption: { kind: 'gaussian', level: 0.1 },
        noise,
        decoderTarget: 'corrupted',
        encoderReconstructionWeight: 0,
      },
      new Rng(1),
    );

  describe('#encoderTarget', () => {
    const m = (values: number[]) => e.matrix(Float32Array.from(values), 1, 3);

    it('asks binary stochastic units for the change the target asks of the sample, applied to the probability', () => {
      // p = (0.2, 0.7, 0.5), sample h = (0, 1, 1), target ĥ = (0.1, 0.8, 1): p + ĥ − h = (0.3, 0.5, 0.5).
      const t = layer('binary').encoderTarget(m([0.2, 0.7, 0.5]), m([0, 1, 1]), m([0.1, 0.8, 1]));
      expect(Array.from(e.read(t)).map((v) => Number(v.toFixed(6)))).toEqual([0.3, 0.5, 0.5]);
    });

    it('leaves the target of sign and continuous units without noise as it is', () => {
      for (const units of ['sign', 'tanh'] as const) {
        const target = m([0.9, -1.2, 0.3]);
        expect(layer(units).stochastic).toBe(false);
        expect(layer(units).encoderTarget(m([1, -1, 1]), m([1, -1, 1]), target)).toBe(target);
      }
    });

    it('asks the mean of a noisy code for the change the target asks of the code, for any units', () => {
      // mean (0.5, −0.2, 0), code drawn around it (0.6, −0.4, 0.1), target ĥ = (0.7, −0.4, −0.1):
      // mean + ĥ − h = (0.6, −0.2, −0.2). A target equal to the code asks the mean for no change.
      for (const units of ['sign', 'tanh'] as const) {
        const noisy = layer(units, 0.1);
        expect(noisy.stochastic).toBe(true);
        const t = noisy.encoderTarget(m([0.5, -0.2, 0]), m([0.6, -0.4, 0.1]), m([0.7, -0.4, -0.1]));
        expect(Array.from(e.read(t)).map((v) => Number(v.toFixed(6)))).toEqual([0.6, -0.2, -0.2]);
        const same = noisy.encoderTarget(m([0.5, -0.2, 0]), m([0.6, -0.4, 0.1]), m([0.6, -0.4, 0.1]));
        expect(Array.from(e.read(same)).map((v) => Number(v.toFixed(6)))).toEqual([0.5, -0.2, 0]);
      }
    });
  });

  describe('#encode', () => {
    it('draws a noisy sign unit as sign(a + ε) while training, and gives sign(a) in inference', () => {
      const sign = layer('sign', 1);
      e.assign(sign.weights[0]!, e.matrix(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, 3));
      e.assign(sign.bias, e.matrix(Float32Array.from([0, 0, 5]), 1, 3));
      // 2,000 rows of a = (0.5, −0.5, 5): the draws flip with probability Φ(−0.5) ≈ 0.31 for the first two
      // units and Φ(−5) ≈ 3e-7 for the third.
      const rows = 2000;
      const x = e.matrix(
        Float32Array.from({ length: 2 * rows }, (_, i) => (i % 2 === 0 ? 0.5 : -0.5)),
        rows,
        2,
      );
      const drawn = sign.encode([x], true);
      const mean = e.read(drawn.mean);
      const code = e.read(drawn.code);
      const flips = [0, 1, 2].map((j) => {
        let n = 0;
        for (let r = 0; r < rows; r++) {
          expect(Math.abs(code[r * 3 + j]!)).toBe(1);
          if (code[r * 3 + j] !== mean[r * 3 + j]) n++;
        }
        return n / rows;
      });
      expect(Array.from(mean.slice(0, 3))).toEqual([1, -1, 1]);
      expect(flips[0]).toBeGreaterThan(0.27);
      expect(flips[0]).toBeLessThan(0.35);
      expect(flips[1]).toBeGreaterThan(0.27);
      expect(flips[1]).toBeLessThan(0.35);
      expect(flips[2]).toBe(0);
      const inferred = sign.encode([x], false);
      expect(Array.from(e.read(inferred.code))).toEqual(Array.from(mean));
      sign.dispose();
    });
  });

  describe('#encoderGradients', () => {
    it("passes a sign unit's rule sign(a) − ĥ only where |a| <= 1 (hardtanh's slope)", () => {
      const sign = layer('sign');
      e.assign(sign.weights[0]!, e.matrix(Float32Array.from([1, 0, 0.2, 0, 0, 0]), 2, 3));
      // x = (2, 0): a = (2, 0, 0.4), sign(a) = (1, 0, 1); ĥ = (1.5, 0.5, 1.5), so sign(a) − ĥ = −0.5 everywhere,
      // and the first unit, past its threshold by more than 1, is left alone.
      const x = e.matrix(Float32Array.from([2, 0]), 1, 2);
      const { pairs } = sign.encoderGradients([x], null, e.matrix(Float32Array.from([1.5, 0.5, 1.5]), 1, 3));
      expect(Array.from(e.read(pairs[0]![1]))).toEqual([0, -1, -1, 0, 0, 0]);
      expect(Array.from(e.read(pairs[1]![1]))).toEqual([0, -0.5, -0.5]);
      sign.dispose();
    });
  });
});

describe('FeedForwardStack with discrete units', () => {
  describe('#propagateTargets', () => {
    it('gives every lower layer its code as target when the top target is the top code, through binary layers', () => {
      const label = { name: 'label', kind: 'categorical' as const, size: 2 };
      const stack = new FeedForwardStack({
        inputSize: 8,
        inputUnits: 'linear',
        layers: [{ size: 16, units: 'binary' }, { size: 12, units: 'sign' }, { size: 10, units: 'binary' }, 9],
        modalities: [label],
        seed: 5,
      });
      const e = stack.engine;
      const gaps = e.scope(() => {
        const { means, codes } = stack.forward(e.matrix(board.train.inputs.slice(0, 32 * 8), 32, 8), true);
        const targets = stack.propagateTargets(codes, codes[codes.length - 1]!, means);
        return targets.map((t, l) => Math.max(...Array.from(e.read(e.sub(t, codes[l]!)), Math.abs)));
      });
      expect(gaps).toEqual([0, 0, 0, 0]);
      stack.dispose();
    });
  });

  describe('#train', () => {
    it('trains two binary stochastic layers end to end: far ahead of the copy whose bottom layer is frozen', {
      timeout: 60_000,
    }, () => {
      // 14×14 digits; two stochastic layers, so the bottom one learns only from targets that came down through
      // the top one's decoder. While the targets were taken on the samples both stayed near chance (0.15).
      const options = { layers: two(128, 'binary'), seed: 3 };
      const trained = heldOut(options, digits(), 3);
      const frozen = heldOut(options, digits(), 3, [0]);
      expect(trained).toBeGreaterThan(0.5); // measured 0.63 (0.58 to 0.63 over seeds 3, 4, 5)
      expect(trained).toBeGreaterThan(frozen + 0.25); // frozen: 0.20 (0.20 to 0.31)
    });

    it('trains each of two sign layers: the top one on frozen features, the bottom one through the top one', {
      timeout: 60_000,
    }, () => {
      const board2 = { inputUnits: 'linear' as const, layers: two(32, 'sign'), seed: 3 };
      const trained = heldOut(board2, board, 10);
      const bottomFrozen = heldOut(board2, board, 10, [0]);
      const bothFrozen = heldOut(board2, board, 10, [0, 1]);
      expect(trained).toBeGreaterThan(0.88); // measured 0.94 (0.92 to 0.94 over seeds 3, 4, 5)
      expect(bottomFrozen).toBeGreaterThan(bothFrozen + 0.3); // 0.93 against 0.47
      // 32 random hyperplanes of the checkerboard's plane serve the top layer as well as learnt ones; the bottom
      // layer's own learning shows on digits, from targets that came down through the top sign layer's decoder.
      const digits2 = { layers: two(64, 'sign'), seed: 3 };
      const digitsTrained = heldOut(digits2, digits(), 3);
      const digitsBottomFrozen = heldOut(digits2, digits(), 3, [0]);
      expect(digitsTrained).toBeGreaterThan(0.7); // measured 0.79 (0.77 on seed 4)
      expect(digitsTrained).toBeGreaterThan(digitsBottomFrozen + 0.1); // 0.65 (0.59 on seed 4)
    });

    it('trains two noisy sign layers (stochastic sign units): the bottom one through the top one', {
      timeout: 60_000,
    }, () => {
      // Targets on the means (encoderTarget): on the draws, each flip would be an error of 2 to undo.
      const noisy = { layers: two(64, 'sign').map((l) => ({ ...l, noise: 1 })), seed: 3 };
      const trained = heldOut(noisy, digits(), 3);
      const bottomFrozen = heldOut(noisy, digits(), 3, [0]);
      expect(trained).toBeGreaterThan(0.6); // measured 0.67 (0.63 to 0.67 over seeds 3, 4, 5)
      expect(trained).toBeGreaterThan(bottomFrozen + 0.2); // frozen: 0.40 (0.375 to 0.41)
    });

    it('passes credit through frozen sign units: a tanh layer below them learns', () => {
      const options = { inputUnits: 'linear' as const, layers: [32, { size: 32, units: 'sign' as const }], seed: 3 };
      const signFrozen = heldOut(options, board, 10, [1]);
      const bothFrozen = heldOut(options, board, 10, [0, 1]);
      expect(signFrozen).toBeGreaterThan(0.75); // measured 0.83 (0.83 to 0.90 over seeds 3, 4, 5)
      expect(signFrozen).toBeGreaterThan(bothFrozen + 0.2); // 0.52
    });
  });
});
