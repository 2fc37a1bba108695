// Small seeded datasets for learning tests: fast to make, with known answers.

import { Rng } from '../../src/random.js';
import { loadMnist } from '../../environments/datasets/mnist.js';

export interface Dataset {
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
  readonly rows: number;
  readonly width: number;
  readonly classes: number;
}

/**
 * A checkerboard of `cells`×`cells` squares on [−1, 1]², embedded in `width` dimensions by a
 * fixed random rotation plus small noise dimensions: no linear readout of the raw input (or of
 * a layer of random features of it) separates the classes well.
 */
export function checkerboard(rows: number, seed: number, options: { cells?: number; width?: number } = {}): Dataset {
  const cells = options.cells ?? 2;
  const width = options.width ?? 8;
  const rng = new Rng(seed);
  const proj = new Rng(12345); // the same embedding for every split
  const basis = Array.from({ length: 2 }, () => Array.from({ length: width }, () => proj.normal() / Math.sqrt(width)));
  const inputs = new Float32Array(rows * width);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = 2 * rng.float() - 1;
    const y = 2 * rng.float() - 1;
    labels[r] = (Math.floor(((x + 1) / 2) * cells) + Math.floor(((y + 1) / 2) * cells)) % 2;
    for (let j = 0; j < width; j++)
      inputs[r * width + j] =
        (1.5 * (x * basis[0]![j]! + y * basis[1]![j]!) * Math.sqrt(width)) / 2 + 0.05 * rng.normal();
  }
  return { inputs, labels, rows, width, classes: 2 };
}

/** Rows `from..to` of a dataset. */
export function rowsOf(data: Dataset, from: number, to: number): Dataset {
  return {
    ...data,
    inputs: data.inputs.slice(from * data.width, to * data.width),
    labels: data.labels.slice(from, to),
    rows: to - from,
  };
}

/** Fraction of rows whose arg-max of `probabilities` ([rows, classes]) equals the label. */
export function accuracy(probabilities: Float32Array, labels: ArrayLike<number>, classes: number): number {
  let hits = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    if (best === labels[r]) hits++;
  }
  return hits / labels.length;
}

/**
 * Gaussian blobs at the centres of a `cells`×`cells` checkerboard (std `spread`), labelled by
 * the square's colour, embedded like `checkerboard`: the classes follow the clusters, so
 * unlabelled examples tell where the boundaries may go (the cluster assumption).
 */
export function blobs(
  rows: number,
  seed: number,
  options: { cells?: number; width?: number; spread?: number } = {},
): Dataset {
  const cells = options.cells ?? 4;
  const width = options.width ?? 8;
  const spread = options.spread ?? 0.06;
  const rng = new Rng(seed);
  const proj = new Rng(12345);
  const basis = Array.from({ length: 2 }, () => Array.from({ length: width }, () => proj.normal() / Math.sqrt(width)));
  const inputs = new Float32Array(rows * width);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const cx = rng.int(cells);
    const cy = rng.int(cells);
    const x = -1 + (2 * cx + 1) / cells + spread * rng.normal();
    const y = -1 + (2 * cy + 1) / cells + spread * rng.normal();
    labels[r] = (cx + cy) % 2;
    for (let j = 0; j < width; j++)
      inputs[r * width + j] =
        (1.5 * (x * basis[0]![j]! + y * basis[1]![j]!) * Math.sqrt(width)) / 2 + 0.05 * rng.normal();
  }
  return { inputs, labels, rows, width, classes: 2 };
}

/** MNIST digits averaged down to 14×14 (196 inputs in [0, 1]): a real task that runs fast. */
export function smallDigits(trainRows: number, testRows: number, seed = 3): { train: Dataset; test: Dataset } {
  const { train, test } = loadMnist({ seed, trainSize: 10000 - testRows });
  const shrink = (images: Float32Array, labels: Int32Array, rows: number): Dataset => {
    const inputs = new Float32Array(rows * 196);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < 14; i++) {
        for (let j = 0; j < 14; j++) {
          const at = r * 784 + 2 * i * 28 + 2 * j;
          inputs[r * 196 + i * 14 + j] = (images[at]! + images[at + 1]! + images[at + 28]! + images[at + 29]!) / 4;
        }
      }
    }
    return { inputs, labels: labels.slice(0, rows), rows, width: 196, classes: 10 };
  };
  return { train: shrink(train.images, train.labels, trainRows), test: shrink(test.images, test.labels, testRows) };
}
