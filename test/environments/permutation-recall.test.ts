// Specification of PermutationRecall-v0: the first symbol (0 or 1) is the class, the filler is
// uniform in [2, symbols), and the last step's label recalls the first symbol.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { PermutationRecall } from '../../environments/permutation-recall.js';
import { rollout, symbolsOf } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

describe('PermutationRecall', () => {
  describe('constructor', () => {
    it('observes discrete(symbols) with an optional discrete(2) label, passive', () => {
      const env = new PermutationRecall();
      expect([env.length, env.symbols]).toEqual([20, 8]);
      expect(env.observationSpace).toEqual({
        kind: 'dict',
        spaces: { observation: { kind: 'discrete', n: 8 }, label: { kind: 'discrete', n: 2 } },
        optional: ['label'],
      });
      expect(new PermutationRecall({ symbols: 100 }).observationSpace).toMatchObject({
        spaces: { observation: { n: 100 } },
      });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [{ symbols: 3 }, 'PermutationRecall: expected option "symbols" to be an integer >= 4, but got 3'],
      [{ length: 1 }, 'PermutationRecall: expected option "length" to be an integer >= 2, but got 1'],
      [{ length: Infinity }, 'PermutationRecall: expected option "length" to be an integer >= 2, but got Infinity'],
      [
        { vocabulary: 8 },
        'PermutationRecall: expected options among [length, symbols], but got unknown option "vocabulary"',
      ],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new PermutationRecall(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(message);
    });
  });

  describe('#step', () => {
    it('labels the last step with the first symbol, the class', () => {
      const env = new PermutationRecall({ length: 25, symbols: 6 });
      const classes = [0, 0];
      const wrong: string[] = [];
      for (let seed = 0; seed < 1000; seed++) {
        const { observations, infos, steps } = rollout(env, seed);
        const symbols = symbolsOf(observations);
        const problems = [
          symbols.length === 25 || 'length',
          symbols[0] === 0 || symbols[0] === 1 || 'first symbol not 0/1',
          symbols.slice(1).every((s) => s >= 2 && s < 6) || 'filler outside [2, 6)',
          observations.at(-1)!.label === symbols[0] || 'label is not the first symbol',
          observations.slice(0, -1).every((o) => o.label === undefined) || 'early label',
          infos.every((info, t) => (info.labelStep === true) === (t === 24)) || 'labelStep',
          steps.every((s, t) => s.terminated === (t === 23) && !s.truncated) || 'terminated',
        ].filter((p) => p !== true);
        if (problems.length > 0) wrong.push(`seed ${seed}: ${problems.join(', ')}`);
        classes[symbols[0]!]! += 1;
      }
      expect(wrong).toEqual([]);
      expect(Math.abs(classes[0]! - 500)).toBeLessThan(60);
    });

    it('draws the filler uniformly over [2, symbols)', () => {
      const env = new PermutationRecall({ length: 4001, symbols: 10 });
      const counts = new Array<number>(10).fill(0);
      for (const s of symbolsOf(rollout(env, 1).observations).slice(1)) counts[s]! += 1;
      expect(counts.slice(0, 2)).toEqual([0, 0]);
      for (const count of counts.slice(2)) expect(Math.abs(count - 500)).toBeLessThan(100);
    });

    it('works at the shortest length: the class, then one filler with the label', () => {
      const { observations } = rollout(new PermutationRecall({ length: 2, symbols: 4 }), 5);
      expect(observations).toHaveLength(2);
      expect(observations[1]!.label).toBe(observations[0]!.observation);
    });

    it('requires reset before the first step and after the end', () => {
      const env = new PermutationRecall();
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(env, 0);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });
  });
});
