// Specification of Periodic-v0: the pattern repeated from a seeded offset, legalNext naming the
// one next symbol, truncated after `length` observations.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { PeriodicSequence } from '../../environments/periodic-sequence.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

describe('PeriodicSequence', () => {
  describe('constructor', () => {
    it('repeats [0, 1, 2, 3, 2, 1] over discrete(4) for 120 steps by default, passive', () => {
      const env = new PeriodicSequence();
      expect([env.pattern, env.symbols, env.length]).toEqual([[0, 1, 2, 3, 2, 1], 4, 120]);
      expect(env.observationSpace).toEqual({ kind: 'discrete', n: 4 });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [
        { pattern: [] },
        'PeriodicSequence: expected option "pattern" to be a non-empty array of integers >= 0, but got []',
      ],
      [
        { pattern: [0, -1] },
        'PeriodicSequence: expected option "pattern" to be a non-empty array of integers >= 0, but got [0, -1]',
      ],
      [
        { pattern: [0, 1.5] },
        'PeriodicSequence: expected option "pattern" to be a non-empty array of integers >= 0, but got [0, 1.5]',
      ],
      [
        { pattern: 'abc' },
        'PeriodicSequence: expected option "pattern" to be a non-empty array of integers >= 0, but got "abc"',
      ],
      [
        { pattern: [0, 4] },
        'PeriodicSequence: expected option "symbols" to exceed every pattern entry (> 4), but got 4',
      ],
      [{ symbols: 0 }, 'PeriodicSequence: expected option "symbols" to be an integer >= 1, but got 0'],
      [{ length: 1 }, 'PeriodicSequence: expected option "length" to be an integer >= 2, but got 1'],
      [
        { period: 3 },
        'PeriodicSequence: expected options among [pattern, symbols, length], but got unknown option "period"',
      ],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new PeriodicSequence(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(message);
    });

    it('copies the pattern, so later edits by the caller do not reach the environment', () => {
      const pattern = [0, 1];
      const env = new PeriodicSequence({ pattern });
      pattern[0] = 3;
      expect(env.pattern).toEqual([0, 1]);
    });
  });

  describe('#step', () => {
    it('repeats the pattern from the offset the seed picks, with legalNext = [the next symbol]', () => {
      const env = new PeriodicSequence({ length: 20 });
      const pattern = [0, 1, 2, 3, 2, 1];
      for (let seed = 0; seed < 30; seed++) {
        const { observations, infos, steps } = rollout(env, seed);
        const offset = infos[0]!.offset as number;
        expect(observations).toEqual(Array.from({ length: 20 }, (_, t) => pattern[(offset + t) % 6]));
        expect(infos.map((i) => i.legalNext)).toEqual(
          Array.from({ length: 20 }, (_, t) => [pattern[(offset + t + 1) % 6]]),
        );
        expect(steps.map((s) => s.truncated)).toEqual([...Array(18).fill(false), true]);
        expect(steps.every((s) => !s.terminated && s.reward === 0)).toBe(true);
      }
    });

    it('reaches every starting offset across seeds, and only the offset depends on the seed', () => {
      const env = new PeriodicSequence({ pattern: [5, 0, 0, 7], symbols: 8, length: 9 });
      const byOffset = new Map<number, number[]>();
      for (let seed = 0; seed < 40; seed++) {
        const { observations, infos } = rollout(env, seed);
        const offset = infos[0]!.offset as number;
        if (byOffset.has(offset)) expect(observations).toEqual(byOffset.get(offset));
        byOffset.set(offset, observations);
      }
      expect([...byOffset.keys()].sort()).toEqual([0, 1, 2, 3]);
    });

    it('requires reset before the first step and after the end', () => {
      const env = new PeriodicSequence({ length: 3 });
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(env, 0);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
      expect(() => env.reset({ seed: 1.5 })).toThrow(InvalidOptionError);
    });
  });
});
