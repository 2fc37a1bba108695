import { describe, expect, it } from 'vitest';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { ENGINES, liveTensors, useEngine } from '../helpers/engine.js';
import { accuracy, checkerboard, smallDigits } from '../helpers/synthetic.js';
import { Rng } from '../../src/random.js';
import { batch, trainStack } from '../helpers/train.js';

useEngine();
const label = { name: 'label', kind: 'categorical' as const, size: 2 };
const train = checkerboard(2000, 1);
const test = checkerboard(1000, 2);

describe('FeedForwardStack', () => {
  describe.each(ENGINES)('#propagateTargets on the %s engine', (kind) => {
    it('gives every lower layer its activation as target when the top target is the top code (difference form)', () => {
      const stack = new FeedForwardStack({
        inputSize: 8,
        inputUnits: 'linear',
        layers: [16, { size: 12, units: 'sigmoid' }, 10, 9],
        modalities: [label],
        seed: 5,
        engine: kind as 'tfjs',
      });
      trainStack(stack, label, train, { epochs: 1, batchSize: 64 }); // decoders no longer at their initial values
      const e = stack.engine;
      const gaps = e.scope(() => {
        const { codes } = stack.forward(e.matrix(train.inputs.slice(0, 32 * 8), 32, 8), true);
        const targets = stack.propagateTargets(codes, codes[codes.length - 1]!);
        return targets.map((t, l) => Math.max(...Array.from(e.read(e.sub(t, codes[l]!)), Math.abs)));
      });
      expect(gaps).toHaveLength(4);
      for (const g of gaps) expect(g).toBeLessThan(1e-6);
      stack.dispose();
    });

    it('does not keep that invariant in the plain form, whose targets are the decoders’ reconstructions', () => {
      const stack = new FeedForwardStack({
        inputSize: 8,
        inputUnits: 'linear',
        layers: [16, 12],
        modalities: [label],
        targetForm: 'plain',
        seed: 5,
        engine: kind as 'tfjs',
      });
      const e = stack.engine;
      const gap = e.scope(() => {
        const { codes } = stack.forward(e.matrix(train.inputs.slice(0, 32 * 8), 32, 8), true);
        const targets = stack.propagateTargets(codes, codes[1]!);
        return Math.max(...Array.from(e.read(e.sub(targets[0]!, codes[0]!)), Math.abs));
      });
      expect(gap).toBeGreaterThan(1e-2);
      stack.dispose();
    });
  });

  describe('engines', () => {
    it('computes the same learning on the tfjs and the fused engine (same seed, same data)', () => {
      const run = (engine: 'tfjs' | 'fused'): Float32Array => {
        const stack = new FeedForwardStack({
          inputSize: 8,
          inputUnits: 'linear',
          layers: [12, 10],
          modalities: [label],
          seed: 9,
          engine,
          noise: 0.05,
          encoderReconstructionWeight: 0.1,
        });
        trainStack(stack, label, train, { epochs: 1, batchSize: 50, seed: 2, labelled: (r) => r % 3 !== 0 });
        const p = stack.predict(test.inputs.slice(0, 100 * 8), 100)[0]!;
        stack.dispose();
        return p;
      };
      const a = run('tfjs');
      const b = run('fused');
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst).toBeLessThan(1e-3);
    });
  });

  describe('#train', () => {
    it('learns a checkerboard that no readout of untrained features can, nor a stack whose targets never move', () => {
      const accuracies = (['discriminant', 'reconstruction', 'frozen'] as const).map((kind) => {
        const stack = new FeedForwardStack({
          inputSize: 8,
          inputUnits: 'linear',
          layers: [32, 32],
          modalities: [label],
          seed: 3,
          ...(kind === 'frozen' ? { discriminantStep: 0 } : { topTarget: kind }),
        });
        trainStack(stack, label, train, { epochs: 10, seed: 4 });
        const acc = accuracy(stack.predict(test.inputs, test.rows)[0]!, test.labels, 2);
        stack.dispose();
        return acc;
      });
      const [discriminant, reconstruction, frozen] = accuracies;
      expect(discriminant).toBeGreaterThan(0.9);
      expect(reconstruction).toBeGreaterThan(0.9);
      expect(frozen).toBeLessThan(0.7);
    });

    // The sign layer here would pass frozen too (0.936 frozen, 0.942 trained): this checks that the layers above sign
    // units learn while backprop passes nothing through them. discrete-units.test.ts shows the sign units learning.
    it('trains the layer above a layer of sign units, through which backprop passes nothing', () => {
      const layers = [{ size: 32, units: 'sign' as const }, { size: 32 }];
      const stack = new FeedForwardStack({ inputSize: 8, inputUnits: 'linear', layers, modalities: [label], seed: 3 });
      trainStack(stack, label, train, { epochs: 10, seed: 4 });
      const tpAccuracy = accuracy(stack.predict(test.inputs, test.rows)[0]!, test.labels, 2);
      stack.dispose();

      const bp = new FeedForwardBackprop({ inputSize: 8, classes: 2, layers, seed: 3 });
      const below = Array.from(bp.weights[0]!.dataSync());
      const above = Array.from(bp.weights[1]!.dataSync());
      const b = batch(
        train,
        Array.from({ length: 200 }, (_, i) => i),
      );
      for (let i = 0; i < 20; i++) bp.train(b.inputs, 200, b.labels);
      const belowAfter = Array.from(bp.weights[0]!.dataSync());
      const aboveAfter = Array.from(bp.weights[1]!.dataSync());
      bp.dispose();

      expect(tpAccuracy).toBeGreaterThan(0.85);
      expect(belowAfter).toEqual(below); // no gradient crosses the sign units
      expect(aboveAfter).not.toEqual(above); // while the layer above them does learn
    });

    it('learns from unlabelled examples: 10% labels plus the rest unlabelled beats the same labels alone', {
      timeout: 120_000,
    }, () => {
      // Small MNIST digits (14×14), 2,000 for training of which 200 are labelled, 1,000 held out.
      const digits = smallDigits(2000, 1000);
      const digit = { name: 'label', kind: 'categorical' as const, size: 10 };
      const run = (withUnlabelled: boolean): number => {
        const stack = new FeedForwardStack({ inputSize: 196, layers: [64, 64], modalities: [digit], seed: 3 });
        const rng = new Rng(5);
        for (let t = 0; t < 800; t++) {
          // Every step sees 16 labelled digits; the semi-supervised run also sees 16 unlabelled ones.
          const rows = Array.from({ length: 16 }, () => rng.int(200));
          if (withUnlabelled) for (let i = 0; i < 16; i++) rows.push(200 + rng.int(1800));
          const b = batch(digits.train, rows);
          stack.train(
            b.inputs,
            rows.length,
            sideFromLabels(
              digit,
              b.labels.map((y, i) => (i < 16 ? y : -1)),
            ),
          );
        }
        const acc = accuracy(stack.predict(digits.test.inputs, digits.test.rows)[0]!, digits.test.labels, 10);
        stack.dispose();
        return acc;
      };
      const alone = run(false);
      const semi = run(true);
      expect(alone).toBeGreaterThan(0.7);
      expect(semi).toBeGreaterThan(alone + 0.01);
    });

    it('keeps the tensor count flat over repeated steps (tfjs engine)', () => {
      const stack = new FeedForwardStack({
        inputSize: 8,
        inputUnits: 'linear',
        layers: [16, 16],
        modalities: [label],
        encoderReconstructionWeight: 0.1,
        seed: 1,
        engine: 'tfjs',
      });
      const b = batch(
        train,
        Array.from({ length: 16 }, (_, i) => i),
      );
      const side = sideFromLabels(
        label,
        b.labels.map((y, i) => (i % 2 ? y : -1)),
      );
      stack.train(b.inputs, 16, side, true); // optimiser slots are made on the first step
      const before = liveTensors();
      for (let i = 0; i < 50; i++) stack.train(b.inputs, 16, side, i % 10 === 0);
      stack.predict(b.inputs, 16);
      stack.encode(b.inputs, 16);
      expect(liveTensors()).toBe(before);
      stack.dispose();
    });

    it('frees every tensor it made when disposed (tfjs engine)', () => {
      const before = liveTensors();
      const stack = new FeedForwardStack({
        inputSize: 8,
        inputUnits: 'linear',
        layers: [16, 16],
        modalities: [label],
        seed: 1,
        engine: 'tfjs',
      });
      const b = batch(train, [0, 1, 2, 3]);
      stack.train(b.inputs, 4, sideFromLabels(label, b.labels));
      stack.dispose();
      expect(liveTensors()).toBe(before);
    });
  });
});
