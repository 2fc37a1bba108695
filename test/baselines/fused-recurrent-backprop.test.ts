// BPTT with closed-form gradients on the Engine interface: the same method as the tfjs-autodiff
// RecurrentBackprop (the same predictions, step after step, from the same seed, on either
// engine), a seeded learning threshold, the same typed errors, and nothing left behind.

import { describe, expect, it } from 'vitest';
import {
  FusedRecurrentBackprop,
  type FusedRecurrentBackpropOptions,
} from '../../src/baselines/fused-recurrent-backprop.js';
import { RecurrentBackprop } from '../../src/baselines/recurrent-backprop.js';
import {
  InvalidOptionError,
  NonFiniteError,
  ShapeMismatchError,
  StateError,
  type TpropError,
} from '../../src/errors.js';
import type { SequenceLearner } from '../../src/learner/sequence-learner.js';
import type { SideBatch } from '../../src/learner/side-batch.js';
import { kernelHeap } from '../../src/math/wasm-kernels.js';
import { Rng } from '../../src/random.js';
import { liveTensors, useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

type Options = Omit<FusedRecurrentBackpropOptions, 'engine'>;

/** Two stacked layers, two streams, S = 2 over K = 5, next-symbol prediction, an episode start and an end. */
const categorical: Options = {
  input: { kind: 'categorical', size: 4 },
  layers: [8, { size: 6, units: 'tanh' }],
  window: 5,
  updateEvery: 2,
  streams: 2,
  optimizer: { learningRate: 0.01 },
  seed: 3,
};

/** Continuous inputs, sigmoid units, a categorical label present at some steps only, no next-input prediction. */
const labelled: Options = {
  input: { kind: 'continuous', size: 3 },
  modalities: [{ name: 'label', kind: 'categorical', size: 2 }],
  predictNext: false,
  layers: [{ size: 7, units: 'sigmoid' }],
  window: 4,
  updateEvery: 1,
  streams: 2,
  optimizer: { learningRate: 0.01 },
  seed: 4,
};

/** Predictions of `learner` at each of `steps` seeded steps of `options`' stream, boundaries included. */
function trajectory(learner: SequenceLearner, options: Options, steps: number): Float32Array[][] {
  const rng = new Rng(9);
  const B = options.streams ?? 1;
  const n = options.input.size;
  const out: Float32Array[][] = [];
  for (let t = 0; t < steps; t++) {
    if (t === 20) learner.startEpisode([1]);
    const x = new Float32Array(B * n);
    for (let r = 0; r < B; r++) {
      if (options.input.kind === 'categorical') x[r * n + rng.int(n)] = 1;
      else for (let j = 0; j < n; j++) x[r * n + j] = rng.normal();
    }
    let side: SideBatch | undefined;
    if (options.modalities) {
      const values = new Float32Array(B * 2);
      const present = new Float32Array(B);
      for (let r = 0; r < B; r++) {
        values[r * 2 + (x[r * n]! > 0 ? 1 : 0)] = 1;
        present[r] = rng.float() < 0.6 ? 1 : 0;
      }
      side = { rows: B, values: [values], present: [present] };
    }
    learner.step(x, side);
    out.push(learner.readPredictions());
    if (t === 40) learner.endEpisode();
  }
  return out;
}

/** Next-symbol accuracy over the last 60 of `steps` steps of the pattern 0 1 2 3 2 1 (2 is followed by 3 or 1). */
function periodic(learner: SequenceLearner, steps: number): number {
  const pattern = [0, 1, 2, 3, 2, 1];
  let hits = 0;
  for (let t = 0; t < steps; t++) {
    if (t >= steps - 60) {
      const p = learner.readPredictions()[0]!;
      hits += p.indexOf(Math.max(...p)) === pattern[t % 6] ? 1 : 0;
    }
    const x = new Float32Array(4);
    x[pattern[t % 6]!] = 1;
    learner.step(x);
  }
  return hits / 60;
}

describe('FusedRecurrentBackprop', () => {
  describe('#step', () => {
    for (const engine of ['fused', 'tfjs'] as const) {
      for (const [name, options] of [
        ['next symbols, two layers', categorical],
        ['a sometimes-present label', labelled],
      ] as const) {
        it(`predicts as RecurrentBackprop does at every step, from the same seed (${name}, ${engine})`, () => {
          const ours = new FusedRecurrentBackprop({ ...options, engine });
          const autodiff = new RecurrentBackprop(options);
          const a = trajectory(ours, options, 60);
          const b = trajectory(autodiff, options, 60);
          let worst = 0;
          a.forEach((perModality, t) =>
            perModality.forEach((p, k) => p.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[t]![k]![j]!))))),
          );
          // Both learn (the predictions move by far more than the tolerance), along the same path.
          const moved = Math.max(...a[59]![0]!.map((v, j) => Math.abs(v - a[0]![0]![j]!)));
          expect(moved).toBeGreaterThan(1e-2);
          expect(worst).toBeLessThan(1e-4);
          ours.dispose();
          autodiff.dispose();
        });
      }
    }

    it('learns a periodic sequence online, which its untrained copy does not predict', () => {
      const options = { input: { kind: 'categorical', size: 4 }, layers: [16], window: 6, seed: 1 } as const;
      const trained = new FusedRecurrentBackprop({ ...options, optimizer: { learningRate: 0.01 } });
      const untrained = new FusedRecurrentBackprop({ ...options, optimizer: { learningRate: 1e-12 } });
      expect(periodic(trained, 400)).toBeGreaterThan(0.9);
      expect(periodic(untrained, 400)).toBeLessThan(0.6);
      trained.dispose();
      untrained.dispose();
    });
  });

  describe('errors', () => {
    const input = { kind: 'categorical', size: 4 } as const;
    const cases: [string, (learner: SequenceLearner) => void][] = [
      ['a wrong input length', (l) => l.step(new Float32Array(3))],
      ['a non-finite input', (l) => l.step(Float32Array.of(0, Number.NaN, 0, 0))],
      [
        'a disposed learner',
        (l) => {
          l.dispose();
          l.step(new Float32Array(4));
        },
      ],
    ];
    it.each(cases)('throws what RecurrentBackprop throws for %s', (_, misuse) => {
      const ours = thrown(() => misuse(new FusedRecurrentBackprop({ input, layers: [4] }))) as TpropError;
      const theirs = thrown(() => misuse(new RecurrentBackprop({ input, layers: [4] }))) as TpropError;
      expect(ours.constructor).toBe(theirs.constructor);
      expect(ours.code).toBe(theirs.code);
      expect(ours.message).toBe(theirs.message.replace('RecurrentBackprop', 'FusedRecurrentBackprop'));
      expect([ShapeMismatchError, NonFiniteError, StateError]).toContain(ours.constructor);
    });

    it('refuses bad options with InvalidOptionError', () => {
      for (const bad of [
        { input, window: 4, updateEvery: 5 },
        { input, colour: 'red' },
        { input: { kind: 'ordinal', size: 4 } },
        { input, layers: [{ size: 4, units: 'cubic' }] },
        { input, engine: 'gpu' },
      ])
        expect(() => new FusedRecurrentBackprop(bad as never)).toThrow(InvalidOptionError);
    });
  });

  describe('#dispose', () => {
    it('keeps the tensor count flat on the tfjs engine, and frees everything', () => {
      const before = liveTensors();
      const learner = new FusedRecurrentBackprop({ ...categorical, engine: 'tfjs' });
      trajectory(learner, categorical, 30);
      const warm = liveTensors();
      trajectory(learner, categorical, 30);
      expect(liveTensors()).toBe(warm);
      learner.dispose();
      expect(liveTensors()).toBe(before);
    });

    it.skipIf(!kernelHeap)('returns its parameters and optimiser slots to the kernel memory (fused)', () => {
      // A first learner lets the scratch block grow to its size; the second must leave nothing behind.
      const warmUp = new FusedRecurrentBackprop(categorical);
      trajectory(warmUp, categorical, 10);
      warmUp.dispose();
      const used = kernelHeap!.used;
      const learner = new FusedRecurrentBackprop(categorical);
      trajectory(learner, categorical, 10);
      expect(kernelHeap!.used).toBeGreaterThan(used);
      learner.dispose();
      expect(kernelHeap!.used).toBe(used);
    });
  });
});
