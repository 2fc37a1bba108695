// FeedForwardStack.infer: digits (14 × 14) and their labels as two modalities joined by the top
// auto-encoder. The label inferred from the image by MAP is about as good as the readout's; the
// image inferred from a label (MAP, and MCMC samples) is read as that label by a separately
// trained backprop classifier, where a stack whose top never learnt rec(∅, y) gives no such
// images. Inference changes no weight, leaks nothing, and refuses bad queries with typed errors.

import { describe, expect, it } from 'vitest';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { Rng } from '../../src/random.js';
import { useEngine } from '../helpers/engine.js';
import { type Dataset, accuracy as accuracyOf, smallDigits } from '../helpers/synthetic.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

const label = { name: 'label', kind: 'categorical' as const, size: 10 };
const { train, test } = smallDigits(3000, 500);

function rowsOf(d: Dataset, rows: readonly number[]): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(rows.length * d.width);
  rows.forEach((r, i) => x.set(d.inputs.subarray(r * d.width, (r + 1) * d.width), i * d.width));
  return { x, y: Int32Array.from(rows, (r) => d.labels[r]!) };
}

/** The share of rows whose most likely class of ten is the label. */
const accuracy = (p: Float32Array, y: ArrayLike<number>): number => accuracyOf(p, y, 10);

function trained(codeDropProbability: number, walkback = 0): FeedForwardStack {
  const stack = new FeedForwardStack({
    inputSize: 196,
    layers: [200, 200],
    modalities: [label],
    seed: 1,
    top: { trainAutoEncoder: true, codeDropProbability, walkback },
  });
  const rng = new Rng(1);
  for (let epoch = 0; epoch < 6; epoch++) {
    const order = rng.shuffle(Array.from({ length: train.rows }, (_, i) => i));
    for (let s = 0; s < order.length; s += 50) {
      const { x, y } = rowsOf(train, order.slice(s, s + 50));
      stack.train(x, y.length, sideFromLabels(label, y));
    }
  }
  return stack;
}

/** A backprop classifier of the same digits, trained apart: the judge of inferred images. */
let judge: FeedForwardBackprop | null = null;
function classifierOnce(): FeedForwardBackprop {
  if (judge) return judge;
  judge = new FeedForwardBackprop({ inputSize: 196, classes: 10, layers: [100], seed: 9 });
  const rng = new Rng(2);
  for (let epoch = 0; epoch < 4; epoch++) {
    const order = rng.shuffle(Array.from({ length: train.rows }, (_, i) => i));
    for (let s = 0; s < order.length; s += 50) {
      const { x, y } = rowsOf(train, order.slice(s, s + 50));
      judge.train(x, y.length, y);
    }
  }
  return judge;
}

describe('FeedForwardStack.infer', () => {
  it('infers the label from the image, and images from labels that a separate classifier reads as them', () => {
    const classifier = classifierOnce();
    const stack = trained(0.3);
    const plain = trained(0);
    const { x, y } = rowsOf(
      test,
      Array.from({ length: test.rows }, (_, i) => i),
    );
    const readout = accuracy(stack.predict(x, test.rows)[0]!, y);
    const map = accuracy(stack.infer({ rows: test.rows, input: x })[0]!.side.label!, y);
    // Measured: the readout 0.884, MAP through the top auto-encoder 0.870, the judge 0.864.
    expect(accuracy(classifier.predict(x, test.rows), y)).toBeGreaterThan(0.85);
    expect(map).toBeGreaterThan(readout - 0.02);
    const labels = Int32Array.from({ length: 50 }, (_, i) => i % 10);
    const fromLabel = (s: FeedForwardStack, method: 'map' | 'mcmc') =>
      s.infer({ rows: 50, side: { label: labels } }, { method, samples: 3, seed: 4 });
    // Measured: MAP 1.0, MCMC 0.96 each; without rec(∅, y) learnt (codeDropProbability 0), 0.4.
    expect(accuracy(classifier.predict(fromLabel(stack, 'map')[0]!.input, 50), labels)).toBeGreaterThanOrEqual(0.9);
    const chain = fromLabel(stack, 'mcmc');
    expect(chain).toHaveLength(3);
    for (const sample of chain) {
      expect(accuracy(classifier.predict(sample.input, 50), labels)).toBeGreaterThanOrEqual(0.9);
      // The clamped label is returned as given.
      expect(accuracy(sample.side.label!, labels)).toBe(1);
    }
    expect(chain[0]!.input).not.toEqual(chain[1]!.input);
    expect(accuracy(classifier.predict(fromLabel(plain, 'map')[0]!.input, 50), labels)).toBeLessThan(0.6);
    // With nothing clamped the chain samples image and label together: the judge reads the label in the image.
    const joint = stack.infer({ rows: 50 }, { method: 'mcmc', samples: 2, seed: 5, noise: 0.3 });
    const agree = joint.map((j) => {
      const drawn = Array.from({ length: 50 }, (_, r) => j.side.label!.subarray(r * 10, r * 10 + 10).indexOf(1));
      return accuracy(classifier.predict(j.input, 50), drawn);
    });
    const classes = new Set(
      joint.flatMap((j) =>
        Array.from({ length: 50 }, (_, r) => j.side.label!.subarray(r * 10, r * 10 + 10).indexOf(1)),
      ),
    );
    // Measured: the judge agrees with the drawn label on 0.96 and 0.98 of the rows; 8 classes drawn.
    for (const a of agree) expect(a).toBeGreaterThanOrEqual(0.85);
    expect(classes.size).toBeGreaterThanOrEqual(5);
    stack.dispose();
    plain.dispose();
  });

  it('trains with walkback steps without leaking, and its chain still gives images of the label', () => {
    const classifier = classifierOnce();
    const labels = Int32Array.from({ length: 50 }, (_, i) => i % 10);
    const plain = trained(0.3);
    const e = plain.engine;
    const before = e.live();
    const walked = trained(0.3, 1);
    const chain = walked.infer(
      { rows: 50, side: { label: labels } },
      { method: 'mcmc', samples: 4, seed: 6, noise: 0.3 },
    );
    const judged = chain.reduce((sum, c) => sum + accuracy(classifier.predict(c.input, 50), labels), 0) / chain.length;
    // Measured: 0.90 (0.94 without walkback on these small digits; on MNIST the bench finds it helps).
    expect(judged).toBeGreaterThanOrEqual(0.85);
    const weights = (s: FeedForwardStack) => s.top.autoencoder.parameters.map((p) => e.read(p));
    expect(weights(walked)).not.toEqual(weights(plain));
    walked.dispose();
    // Its walkback passes kept nothing: disposed, it leaves what was live before it.
    expect(e.live()).toBe(before);
    plain.dispose();
  });

  it('changes no weight, draws nothing from the stack, leaks nothing, and is the same for a seed', () => {
    const stack = new FeedForwardStack({ inputSize: 196, layers: [32], modalities: [label], seed: 2 });
    const e = stack.engine;
    const before = stack.parameters.map((p) => e.read(p));
    const live = e.live();
    const { x } = rowsOf(test, [0, 1, 2]);
    const a = stack.infer({ rows: 3, side: { label: [1, 2, 3] } }, { method: 'mcmc', samples: 2, seed: 5 });
    const b = stack.infer({ rows: 3, side: { label: [1, 2, 3] } }, { method: 'mcmc', samples: 2, seed: 5 });
    stack.infer({ rows: 3, input: x });
    expect(a).toEqual(b);
    expect(e.live()).toBe(live);
    expect(stack.parameters.map((p) => e.read(p))).toEqual(before);
    stack.dispose();
  });

  it('throws typed errors on an unknown modality, a wrong size, NaN, everything missing or nothing to infer', () => {
    const stack = new FeedForwardStack({ inputSize: 196, layers: [16], modalities: [label], seed: 3 });
    const x = new Float32Array(196);
    const cases: [unknown, new (...args: never[]) => Error, string][] = [
      [
        { rows: 1, side: { digit: [1] } },
        InvalidOptionError,
        'expected side modalities among [label], but got "digit"',
      ],
      [
        { rows: 1, input: new Float32Array(10) },
        ShapeMismatchError,
        'expected "input" to be a Float32Array of 1 × 196',
      ],
      [{ rows: 2, side: { label: [1] } }, ShapeMismatchError, 'expected 2 classes of "label", but got 1'],
      [{ rows: 1, side: { label: [12] } }, ShapeMismatchError, 'expected "label" classes in [0, 10), but got 12'],
      [{ rows: 1, input: x.map((_, i) => (i === 5 ? Number.NaN : 0)) }, NonFiniteError, 'expected finite "input"'],
      [{ rows: 1 }, InvalidOptionError, 'everything is missing'],
      [{ rows: 1, input: x, side: { label: [1] } }, InvalidOptionError, 'expected something missing to infer'],
      [{ rows: 0, input: x }, InvalidOptionError, '"rows" to be an integer >= 1'],
    ];
    for (const [query, type, message] of cases) {
      const error = thrown(() => stack.infer(query as never));
      expect(error, JSON.stringify(query)).toBeInstanceOf(type);
      expect((error as Error).message).toContain(message);
    }
    const badMethod = thrown(() => stack.infer({ rows: 1, input: x }, { method: 'gibbs' as never }));
    expect(badMethod).toBeInstanceOf(InvalidOptionError);
    stack.dispose();
  });
});
