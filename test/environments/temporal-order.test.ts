// Specification of TemporalOrder-v0: B, distractors with X/Y at the relevant positions, E with
// the label, which is the order of the X/Y symbols; positions within the documented ranges.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { TEMPORAL_ORDER_SYMBOLS, TemporalOrder, temporalOrderRanges } from '../../environments/temporal-order.js';
import type { TemporalOrderObservation } from '../../environments/temporal-order.js';
import { rollout, symbolsOf } from './rollout.js';
import { thrown } from '../helpers/thrown.js';
import type { Episode } from './rollout.js';

const X = TEMPORAL_ORDER_SYMBOLS.indexOf('X');
const Y = TEMPORAL_ORDER_SYMBOLS.indexOf('Y');

/** The relevant positions (where X or Y appear) and the class they spell, X = 0, Y = 1. */
function decode(episode: Episode<TemporalOrderObservation>): { positions: number[]; label: number } {
  const symbols = symbolsOf(episode.observations);
  const positions = symbols.flatMap((s, t) => (s === X || s === Y ? [t] : []));
  return { positions, label: positions.reduce((acc, t) => acc * 2 + (symbols[t] === Y ? 1 : 0), 0) };
}

describe('TemporalOrder', () => {
  describe('constructor', () => {
    it('has an 8-symbol observation and a label present only on some steps', () => {
      expect(TEMPORAL_ORDER_SYMBOLS).toEqual(['B', 'E', 'a', 'b', 'c', 'd', 'X', 'Y']);
      const env = new TemporalOrder();
      expect([env.length, env.bits, env.classes]).toEqual([10, 1, 4]);
      expect(env.observationSpace).toEqual({
        kind: 'dict',
        spaces: { observation: { kind: 'discrete', n: 8 }, label: { kind: 'discrete', n: 4 } },
        optional: ['label'],
      });
      expect(new TemporalOrder({ bits: 3 }).observationSpace).toMatchObject({
        spaces: { label: { kind: 'discrete', n: 8 } },
      });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [{ length: 2 }, 'TemporalOrder: expected option "length" to be an integer >= 4, but got 2'],
      [{ length: 12.5 }, 'TemporalOrder: expected option "length" to be an integer >= 4, but got 12.5'],
      [{ bits: 3, length: 4 }, 'TemporalOrder: expected option "length" to be an integer >= 5, but got 4'],
      [{ bits: 2 }, 'TemporalOrder: expected option "bits" to be 1 or 3, but got 2'],
      [{ lenght: 10 }, 'TemporalOrder: expected options among [length, bits], but got unknown option "lenght"'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new TemporalOrder(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(message);
    });
  });

  describe('temporalOrderRanges', () => {
    it('scales the literature ranges to T and keeps them inside short sequences', () => {
      expect(temporalOrderRanges(100, 2)).toEqual([
        [10, 20],
        [50, 60],
      ]);
      expect(temporalOrderRanges(100, 3)).toEqual([
        [10, 20],
        [30, 40],
        [50, 60],
      ]);
      expect(temporalOrderRanges(10, 2)).toEqual([
        [1, 2],
        [5, 6],
      ]);
      expect(temporalOrderRanges(4, 2)).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect(temporalOrderRanges(5, 3)).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
    });
  });

  describe('#step', () => {
    it('emits B, distractors, the relevant X/Y, then E with the label, terminated', () => {
      const env = new TemporalOrder({ length: 30 });
      for (let seed = 0; seed < 200; seed++) {
        const episode = rollout(env, seed);
        const symbols = symbolsOf(episode.observations);
        expect(symbols).toHaveLength(30);
        expect(symbols[0]).toBe(0);
        expect(symbols[29]).toBe(1);
        const { positions, label } = decode(episode);
        expect(positions).toHaveLength(2);
        expect(symbols.every((s, t) => t === 0 || t === 29 || positions.includes(t) || (s >= 2 && s <= 5))).toBe(true);
        expect(episode.observations[29]!.label).toBe(label);
        expect(episode.observations.slice(0, 29).every((o) => !('label' in o))).toBe(true);
        expect(episode.infos.map((i) => i.labelStep === true)).toEqual([...Array(29).fill(false), true]);
        expect(episode.steps.map((s) => s.terminated)).toEqual([...Array(28).fill(false), true]);
      }
    });

    it.each([
      [
        { length: 100, bits: 1 as const },
        [
          [10, 20],
          [50, 60],
        ],
      ],
      [
        { length: 100, bits: 3 as const },
        [
          [10, 20],
          [30, 40],
          [50, 60],
        ],
      ],
      [
        { length: 10, bits: 1 as const },
        [
          [1, 2],
          [5, 6],
        ],
      ],
      [
        { length: 4, bits: 1 as const },
        [
          [1, 1],
          [2, 2],
        ],
      ],
      [
        { length: 5, bits: 3 as const },
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      ],
    ])('places the relevant positions of %j within %j, covering each range', (options, ranges) => {
      const env = new TemporalOrder(options);
      const seen = ranges.map(() => new Set<number>());
      const outside: string[] = [];
      for (let seed = 0; seed < 400; seed++) {
        const { positions } = decode(rollout(env, seed));
        expect(positions).toHaveLength(ranges.length);
        positions.forEach((t, i) => {
          if (t < ranges[i]![0]! || t > ranges[i]![1]!) outside.push(`seed ${seed}: position ${i} at ${t}`);
          seen[i]!.add(t);
        });
      }
      expect(outside).toEqual([]);
      seen.forEach((set, i) => expect(set.size).toBe(ranges[i]![1]! - ranges[i]![0]! + 1));
    });

    it.each([
      [1, 4],
      [3, 8],
    ])('with bits %i gives %i classes with roughly uniform frequencies over 2000 seeded episodes', (bits, classes) => {
      const env = new TemporalOrder({ length: 20, bits: bits as 1 | 3 });
      const counts = new Array<number>(classes).fill(0);
      const mislabelled: number[] = [];
      for (let seed = 0; seed < 2000; seed++) {
        const episode = rollout(env, seed);
        const label = episode.observations.at(-1)!.label!;
        if (label !== decode(episode).label) mislabelled.push(seed);
        counts[label]! += 1;
      }
      expect(mislabelled).toEqual([]);
      const expected = 2000 / classes;
      for (const count of counts) expect(Math.abs(count - expected)).toBeLessThan(0.2 * expected);
    });

    it('labels XX, XY, YX, YY as 0, 1, 2, 3', () => {
      const env = new TemporalOrder({ length: 12 });
      const byLabel = new Map<number, string>();
      for (let seed = 0; byLabel.size < 4 && seed < 100; seed++) {
        const episode = rollout(env, seed);
        const symbols = symbolsOf(episode.observations);
        const pair = decode(episode)
          .positions.map((t) => TEMPORAL_ORDER_SYMBOLS[symbols[t]!])
          .join('');
        byLabel.set(episode.observations.at(-1)!.label!, pair);
      }
      expect(Object.fromEntries(byLabel)).toEqual({ 0: 'XX', 1: 'XY', 2: 'YX', 3: 'YY' });
    });

    it('requires reset before the first step and after the end', () => {
      const env = new TemporalOrder();
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(env, 0);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });
  });
});
