// The MNIST parts of the generative bench: image and label as two modalities of one
// feed-forward stack (784-240-240, the label through the top auto-encoder), trained by target
// propagation; a backprop classifier trained apart on the same digits judges inferred images.

import { batchOf, loadMnist, type Digits } from '../../environments/datasets/mnist.js';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { FeedForwardStack, type FeedForwardStackOptions } from '../../src/learner/feed-forward-stack.js';
import { emptySide, sideFromLabels } from '../../src/learner/side-batch.js';
import type { UnsupervisedTarget } from '../../src/learner/stack-options.js';
import { createPrior } from '../../src/priors/create-prior.js';
import { PRIOR_KINDS, type PriorKind } from '../../src/priors/top-prior.js';
import { Rng } from '../../src/random.js';
import { accuracy as accuracyOf } from '../helpers/synthetic.js';

const LABEL = { name: 'label', kind: 'categorical' as const, size: 10 };
const PIXELS = 784;
const BATCH = 50;
/** What the top auto-encoder needs to infer an image from a label: rec(∅, y) (see top.codeDropProbability). */
export const GENERATIVE_TOP = { trainAutoEncoder: true, codeDropProbability: 0.3 };

/** The share of rows whose most likely class of ten is the label. */
const accuracy = (p: Float32Array, y: ArrayLike<number>): number => accuracyOf(p, y, 10);

/** `labelled` of the training rows carry their label (all when undefined); the rest come without. */
function trainStack(
  train: Digits,
  seed: number,
  epochs: number,
  options: Partial<FeedForwardStackOptions>,
  labelled?: number,
): FeedForwardStack {
  const stack = new FeedForwardStack({ inputSize: PIXELS, layers: [240, 240], modalities: [LABEL], seed, ...options });
  const rng = new Rng(seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
    for (let s = 0; s < order.length; s += BATCH) {
      const rows = order.slice(s, s + BATCH);
      const b = batchOf(train, rows);
      const side = sideFromLabels(LABEL, b.labels);
      if (labelled !== undefined) rows.forEach((r, i) => (side.present[0]![i] = r < labelled ? 1 : 0));
      stack.train(b.images, rows.length, labelled === 0 ? emptySide([LABEL], rows.length) : side);
    }
  }
  return stack;
}

function trainJudge(train: Digits, seed: number, epochs: number): FeedForwardBackprop {
  const judge = new FeedForwardBackprop({ inputSize: PIXELS, classes: 10, layers: [240], seed: seed + 1000 });
  const rng = new Rng(seed + 1000);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
    for (let s = 0; s < order.length; s += BATCH) {
      const b = batchOf(train, order.slice(s, s + BATCH));
      judge.train(b.images, b.labels.length, b.labels);
    }
  }
  return judge;
}

/** Per image of `images` (rows × 784), the Euclidean distance to the nearest training image; their mean. */
function meanNearest(images: Float32Array, rows: number, train: Digits): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let best = Infinity;
    for (let t = 0; t < train.count; t++) {
      let d = 0;
      for (let i = 0; i < PIXELS && d < best; i++) d += (images[r * PIXELS + i]! - train.images[t * PIXELS + i]!) ** 2;
      if (d < best) best = d;
    }
    total += Math.sqrt(best);
  }
  return total / rows;
}

/** Mean log-likelihood (nats) of `test` under a Parzen window on `samples`, σ chosen on `validation`. */
function parzenLogLikelihood(samples: Float32Array, n: number, validation: Float32Array, test: Float32Array): number {
  const score = (x: Float32Array, sigma: number): number => {
    const rows = x.length / PIXELS;
    const logs = new Float64Array(n);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let top = -Infinity;
      for (let s = 0; s < n; s++) {
        let d = 0;
        for (let i = 0; i < PIXELS; i++) d += (x[r * PIXELS + i]! - samples[s * PIXELS + i]!) ** 2;
        logs[s] = -d / (2 * sigma * sigma);
        if (logs[s]! > top) top = logs[s]!;
      }
      let sum = 0;
      for (let s = 0; s < n; s++) sum += Math.exp(logs[s]! - top);
      total += top + Math.log(sum) - Math.log(n) - (PIXELS / 2) * Math.log(2 * Math.PI * sigma * sigma);
    }
    return total / rows;
  };
  let best = 0.2;
  let bestScore = -Infinity;
  for (const sigma of [0.1, 0.15, 0.2, 0.25, 0.3]) {
    const s = score(validation, sigma);
    if (s > bestScore) [best, bestScore] = [sigma, s];
  }
  return score(test, best);
}

export interface DigitsResult {
  readonly readout: number;
  readonly mapLabel: number;
  readonly judge: number;
  readonly imageMap: number;
  readonly imageMcmc: number;
  /** Mean distance to the nearest training image: MCMC samples, and test images for reference. */
  readonly nearestSample: number;
  readonly nearestTest: number;
  readonly parzen: number;
  /** Per prior: the share of its ancestral samples the judge gives one class at least 0.9. */
  readonly priors: Record<PriorKind, number>;
  /** For the sheet: per class, MAP then MCMC images. */
  readonly sheet: Float32Array[][];
  readonly seconds: number;
}

export function digitsGenerative(seed: number, epochs: number, walkback = 0): DigitsResult {
  const started = performance.now();
  const { train, test } = loadMnist({ seed });
  const stack = trainStack(train, seed, epochs, { top: { ...GENERATIVE_TOP, walkback } });
  const judge = trainJudge(train, seed, epochs);
  const all = batchOf(
    test,
    Array.from({ length: test.count }, (_, i) => i),
  );
  const readout = accuracy(stack.predict(all.images, test.count)[0]!, all.labels);
  const mapLabel = accuracy(stack.infer({ rows: test.count, input: all.images })[0]!.side.label!, all.labels);
  const classes = Int32Array.from({ length: 100 }, (_, i) => i % 10);
  const map = stack.infer({ rows: 100, side: { label: classes } })[0]!.input;
  // A chain corrupting three times as much as the top auto-encoder learnt from mixes more (row G11).
  const chain = stack.infer({ rows: 100, side: { label: classes } }, { method: 'mcmc', samples: 10, seed, noise: 0.3 });
  const imageMcmc = chain.reduce((s, c) => s + accuracy(judge.predict(c.input, 100), classes), 0) / chain.length;
  const samples = new Float32Array(chain.length * 100 * PIXELS);
  chain.forEach((c, k) => samples.set(c.input, k * 100 * PIXELS));
  const reference = batchOf(
    test,
    Array.from({ length: 100 }, (_, i) => i),
  );
  const validation = batchOf(
    train,
    Array.from({ length: 300 }, (_, i) => i),
  ).images;
  const L = stack.layers.length;
  const codes = stack.encode(train.images.subarray(0, 4000 * PIXELS), 4000)[L - 1]!;
  const rng = new Rng(seed);
  const priors = {} as Record<PriorKind, number>;
  for (const kind of PRIOR_KINDS) {
    const prior = createPrior(kind, 240, { capacity: 4000, history: 4000 });
    prior.observe(codes, 4000);
    const images = stack.decode(prior.sample(200, rng), 200);
    const p = judge.predict(images, 200);
    let sure = 0;
    for (let r = 0; r < 200; r++) if (Math.max(...p.subarray(r * 10, r * 10 + 10)) >= 0.9) sure++;
    priors[kind] = sure / 200;
  }
  const sheet = Array.from({ length: 10 }, (_, c) => [
    map.slice(c * PIXELS, (c + 1) * PIXELS),
    ...chain.slice(0, 9).map((s) => s.input.slice(c * PIXELS, (c + 1) * PIXELS)),
  ]);
  const result: DigitsResult = {
    readout,
    mapLabel,
    judge: accuracy(judge.predict(all.images, test.count), all.labels),
    imageMap: accuracy(judge.predict(map, 100), classes),
    imageMcmc,
    nearestSample: meanNearest(samples, 100, train),
    nearestTest: meanNearest(reference.images, 100, train),
    parzen: parzenLogLikelihood(samples, chain.length * 100, validation, all.images.subarray(0, 500 * PIXELS)),
    priors,
    sheet,
    seconds: (performance.now() - started) / 1000,
  };
  stack.dispose();
  judge.dispose();
  return result;
}

/** The top targets of unlabelled rows compared: none (weight 0), the existing ones and each prior's. */
export const UNLABELLED_TARGETS: readonly ('none' | UnsupervisedTarget)[] = [
  'none',
  'pseudo-label',
  'density',
  ...PRIOR_KINDS,
];

/** Test accuracy with `labelled` training rows labelled and the rest not, the unlabelled target at `weight`. */
export function semiSupervised(
  seed: number,
  epochs: number,
  labelled: number,
  target: 'none' | UnsupervisedTarget,
  weight: number,
  validation: boolean,
): number {
  const { train, test } = loadMnist({ seed });
  // Tuning reads held-out training rows, never the test set.
  const held = validation
    ? batchOf(
        train,
        Array.from({ length: 1000 }, (_, i) => train.count - 1000 + i),
      )
    : null;
  const options: Partial<FeedForwardStackOptions> = {
    unsupervisedTarget: target === 'none' ? 'pseudo-label' : target,
    unsupervisedWeight: target === 'none' ? 0 : weight,
    top: target === 'density' ? { trainAutoEncoder: true } : {},
  };
  const part = validation ? { ...train, count: train.count - 1000 } : train;
  const stack = trainStack(part, seed, epochs, options, labelled);
  const all =
    held ??
    batchOf(
      test,
      Array.from({ length: test.count }, (_, i) => i),
    );
  const result = accuracy(stack.predict(all.images, all.labels.length)[0]!, all.labels);
  stack.dispose();
  return result;
}
