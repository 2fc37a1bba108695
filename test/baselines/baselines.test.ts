import { describe, expect, it } from 'vitest';
import { FeedForwardBackprop } from '../../src/baselines/feed-forward-backprop.js';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { RecurrentBackprop } from '../../src/baselines/recurrent-backprop.js';
import type { SequenceLearner } from '../../src/learner/sequence-learner.js';
import { liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

/**
 * Feeds the periodic pattern 0 1 2 3 2 1 …; returns the accuracy of the next-symbol predictions over the last 60
 * steps.
 */
function periodic(learner: SequenceLearner, steps: number): number {
  const pattern = [0, 1, 2, 3, 2, 1];
  let hits = 0;
  for (let t = 0; t < steps; t++) {
    if (t > 0 && t >= steps - 60) {
      const p = learner.readPredictions()[0]!;
      hits += p.indexOf(Math.max(...p)) === pattern[t % 6] ? 1 : 0;
    }
    const x = new Float32Array(4);
    x[pattern[t % 6]!] = 1;
    learner.step(x);
  }
  return hits / 60;
}

describe.each([
  [
    'RecurrentBackprop',
    () =>
      new RecurrentBackprop({
        input: { kind: 'categorical', size: 4 },
        layers: [16],
        window: 6,
        seed: 1,
        optimizer: { learningRate: 0.01 },
      }),
  ],
  [
    'LstmBackprop',
    () =>
      new LstmBackprop({ input: { kind: 'categorical', size: 4 }, units: 16, window: 6, seed: 1, learningRate: 0.01 }),
  ],
] as const)('%s', (_, make) => {
  it('learns a periodic sequence online', () => {
    const learner = make();
    expect(periodic(learner, 400)).toBeGreaterThan(0.9);
    learner.dispose();
  });

  it('keeps the tensor count flat while it learns, and frees everything on dispose', () => {
    const before = liveTensors();
    const learner = make();
    periodic(learner, 60);
    const warm = liveTensors();
    periodic(learner, 60);
    expect(liveTensors()).toBe(warm);
    learner.dispose();
    expect(liveTensors()).toBe(before);
  });
});

describe('FeedForwardBackprop', () => {
  it('frees everything on dispose and keeps the count flat while training', () => {
    const before = liveTensors();
    const net = new FeedForwardBackprop({ inputSize: 4, classes: 2, layers: [6, 5], seed: 1 });
    const x = Float32Array.from({ length: 8 }, (_, i) => i / 8);
    net.train(x, 2, [0, 1]);
    const warm = liveTensors();
    for (let i = 0; i < 10; i++) net.train(x, 2, [0, 1]);
    net.predict(x, 2);
    expect(liveTensors()).toBe(warm);
    net.dispose();
    expect(liveTensors()).toBe(before);
  });
});
