// Training loops shared by learning tests: seeded mini-batches over a synthetic dataset.

import type { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import type { ModalitySpec } from '../../src/learner/modality.js';
import { Rng } from '../../src/random.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import type { Dataset } from './synthetic.js';

/** Rows `idx` of `data` as one batch. */
export function batch(data: Dataset, idx: readonly number[]): { inputs: Float32Array; labels: Int32Array } {
  const inputs = new Float32Array(idx.length * data.width);
  const labels = new Int32Array(idx.length);
  idx.forEach((r, i) => {
    inputs.set(data.inputs.subarray(r * data.width, (r + 1) * data.width), i * data.width);
    labels[i] = data.labels[r]!;
  });
  return { inputs, labels };
}

/**
 * Trains `stack` for `epochs` seeded passes over `data` in batches of `size`; `labelled(r)`
 * says whether row r's label is shown (the others train without side information).
 */
export function trainStack(
  stack: FeedForwardStack,
  label: ModalitySpec,
  data: Dataset,
  options: { epochs: number; batchSize?: number; seed?: number; labelled?: (row: number) => boolean },
): void {
  const rng = new Rng(options.seed ?? 0);
  const size = options.batchSize ?? 32;
  for (let e = 0; e < options.epochs; e++) {
    const order = rng.shuffle(Array.from({ length: data.rows }, (_, i) => i));
    for (let s = 0; s < data.rows; s += size) {
      const idx = order.slice(s, s + size);
      const b = batch(data, idx);
      const shown = options.labelled ? b.labels.map((y, i) => (options.labelled!(idx[i]!) ? y : -1)) : b.labels;
      stack.train(b.inputs, idx.length, sideFromLabels(label, shown));
    }
  }
}
