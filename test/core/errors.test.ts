import { describe, expect, it } from 'vitest';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { sideFromLabels, packSide } from '../../src/learner/side-batch.js';
import { TpropError } from '../../src/errors.js';
import { useEngine } from '../helpers/engine.js';

useEngine();
const label = { name: 'label', kind: 'categorical' as const, size: 3 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TpropError);
    return (err as TpropError).code;
  }
  throw new Error('expected a TpropError, but nothing was thrown');
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('FeedForwardStack', () => {
  describe('options', () => {
    it('rejects invalid and unknown options at construction with ERR_INVALID_OPTION', () => {
      const ok = { inputSize: 4, modalities: [label] };
      expect(codeOf(() => new FeedForwardStack({ ...ok, inputSize: 0 }))).toBe('ERR_INVALID_OPTION');
      expect(codeOf(() => new FeedForwardStack({ ...ok, layers: [] }))).toBe('ERR_INVALID_OPTION');
      expect(codeOf(() => new FeedForwardStack({ ...ok, layers: [{ size: 4, units: 'softsign' as never }] }))).toBe(
        'ERR_INVALID_OPTION',
      );
      expect(codeOf(() => new FeedForwardStack({ ...ok, targetForm: 'sideways' as never }))).toBe('ERR_INVALID_OPTION');
      expect(codeOf(() => new FeedForwardStack({ ...ok, optimizer: { kind: 'adam', learningRate: -1 } }))).toBe(
        'ERR_INVALID_OPTION',
      );
      expect(codeOf(() => new FeedForwardStack({ ...ok, corruption: { kind: 'masking', level: 2 } }))).toBe(
        'ERR_INVALID_OPTION',
      );
      expect(
        codeOf(() => new FeedForwardStack({ ...ok, modalities: [{ name: 'y', kind: 'categorical', size: 1 }] })),
      ).toBe('ERR_INVALID_OPTION');
      expect(codeOf(() => new FeedForwardStack({ ...ok, lerningRate: 0.1 } as never))).toBe('ERR_INVALID_OPTION');
    });

    it('names the owner, the option, what was expected and what came', () => {
      expect(messageOf(() => new FeedForwardStack({ inputSize: 4, optimizer: { learningRate: 0 } }))).toBe(
        'FeedForwardStack.optimizer: expected option "learningRate" to be a number > 0, but got 0',
      );
      expect(messageOf(() => new FeedForwardStack({ inputSize: 4, lerningRate: 0.1 } as never))).toMatch(
        /^FeedForwardStack: expected options among \[.*\], but got unknown option "lerningRate"$/,
      );
    });
  });

  describe('#train', () => {
    it('rejects wrong sizes and non-finite inputs with typed errors and leaves the weights untouched', () => {
      const stack = new FeedForwardStack({ inputSize: 4, layers: [5, 5], modalities: [label], seed: 1 });
      const weights = (): number[][] => stack.parameters.map((p) => Array.from(stack.engine.read(p)));
      const before = weights();
      const x = new Float32Array(8).fill(0.5);
      const side = sideFromLabels(label, [0, 1]);
      expect(codeOf(() => stack.train(new Float32Array(7), 2, side))).toBe('ERR_SHAPE_MISMATCH');
      expect(codeOf(() => stack.train(x, 2, sideFromLabels(label, [0])))).toBe('ERR_SHAPE_MISMATCH');
      const nan = x.slice();
      nan[5] = NaN;
      expect(codeOf(() => stack.train(nan, 2, side))).toBe('ERR_NON_FINITE');
      expect(messageOf(() => stack.train(nan, 2, side))).toBe(
        'FeedForwardStack.train: expected finite inputs, but got NaN at row 1, column 1',
      );
      const inf = x.slice();
      inf[0] = Infinity;
      expect(codeOf(() => stack.predict(inf, 2))).toBe('ERR_NON_FINITE');
      expect(codeOf(() => stack.train([0.5, 0.5, 0.5, 0.5] as never, 1, side))).toBe('ERR_SHAPE_MISMATCH');
      expect(weights()).toEqual(before);
      stack.train(x, 2, side); // and it still trains afterwards
      expect(weights()).not.toEqual(before);
      stack.dispose();
    });

    it('rejects labels outside the modality and NaN side values before anything is computed', () => {
      expect(codeOf(() => sideFromLabels(label, [3]))).toBe('ERR_SHAPE_MISMATCH');
      expect(codeOf(() => packSide([{ name: 'r', kind: 'continuous', size: 2 }], [{ r: [1, NaN] }], 'test'))).toBe(
        'ERR_NON_FINITE',
      );
      expect(codeOf(() => packSide([{ name: 'r', kind: 'continuous', size: 2 }], [{ r: [1] }], 'test'))).toBe(
        'ERR_SHAPE_MISMATCH',
      );
    });

    it('throws ERR_DISPOSED after dispose', () => {
      const stack = new FeedForwardStack({ inputSize: 4, layers: [3], modalities: [label] });
      stack.dispose();
      expect(codeOf(() => stack.predict(new Float32Array(4), 1))).toBe('ERR_DISPOSED');
    });
  });
});
