// Specification of Adding-v0: values in [0, 1] with two markers in the documented ranges, and
// a label on the last step equal to the sum of the two marked values.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { contains } from '../../src/environment/space.js';
import { AddingProblem, addingRanges } from '../../environments/adding-problem.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

describe('AddingProblem', () => {
  describe('constructor', () => {
    it('observes [value, marker] in box(2) with an optional box(1) label, passive', () => {
      const env = new AddingProblem();
      expect(env.length).toBe(20);
      expect(env.observationSpace).toEqual({
        kind: 'dict',
        spaces: {
          observation: { kind: 'box', shape: [2], low: 0, high: 1 },
          label: { kind: 'box', shape: [1], low: 0, high: 2 },
        },
        optional: ['label'],
      });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [{ length: 1 }, 'AddingProblem: expected option "length" to be an integer >= 2, but got 1'],
      [{ length: '20' }, 'AddingProblem: expected option "length" to be an integer >= 2, but got "20"'],
      [{ T: 20 }, 'AddingProblem: expected options among [length], but got unknown option "T"'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new AddingProblem(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(message);
    });
  });

  describe('addingRanges', () => {
    it('puts the first marker in the first 10% and the second in [0.1T, 0.5T)', () => {
      expect(addingRanges(20)).toEqual({ first: [0, 2], second: [2, 10] });
      expect(addingRanges(100)).toEqual({ first: [0, 10], second: [10, 50] });
      expect(addingRanges(15)).toEqual({ first: [0, 1], second: [2, 8] });
      expect(addingRanges(5)).toEqual({ first: [0, 1], second: [1, 3] });
      expect(addingRanges(2)).toEqual({ first: [0, 1], second: [1, 2] });
    });
  });

  describe('#step', () => {
    it.each([20, 100, 15, 5, 2])(
      'with length %i labels the last step with the sum of the two marked values',
      (length) => {
        const env = new AddingProblem({ length });
        const { first, second } = addingRanges(length);
        const firsts = new Set<number>();
        const seconds = new Set<number>();
        const wrong: string[] = [];
        for (let seed = 0; seed < 200; seed++) {
          const { observations, infos, steps } = rollout(env, seed);
          const marked = observations.flatMap((o, t) => (o.observation[1] === 1 ? [t] : []));
          const [a, b] = marked as [number, number];
          firsts.add(a);
          seconds.add(b);
          const sum = observations[a]!.observation[0]! + observations[b]!.observation[0]!;
          const problems = [
            observations.length === length || 'length',
            observations.every((o) => contains(env.observationSpace, o)) || 'space',
            observations.every((o) => o.observation[1] === 0 || o.observation[1] === 1) || 'marker not 0/1',
            marked.length === 2 || 'not two markers',
            (a >= first[0] && a < first[1] && b >= second[0] && b < second[1]) || `markers at ${marked}`,
            observations.at(-1)!.label![0] === Math.fround(sum) || 'label is not the sum',
            observations.slice(0, -1).every((o) => o.label === undefined) || 'early label',
            infos.every((info, t) => (info.labelStep === true) === (t === length - 1)) || 'labelStep',
            steps.every((s, t) => s.terminated === (t === length - 2) && !s.truncated) || 'terminated',
          ].filter((p) => p !== true);
          if (problems.length > 0) wrong.push(`seed ${seed}: ${problems.join(', ')}`);
        }
        expect(wrong).toEqual([]);
        expect(firsts.size).toBe(first[1] - first[0]);
        expect(seconds.size).toBe(second[1] - second[0]);
      },
    );

    it('draws the values uniformly in [0, 1]', () => {
      const env = new AddingProblem({ length: 1000 });
      const values = rollout(env, 3).observations.map((o) => o.observation[0]!);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
      expect(Math.min(...values)).toBeLessThan(0.01);
      expect(Math.max(...values)).toBeGreaterThan(0.99);
    });

    it('requires reset before the first step and after the end', () => {
      const env = new AddingProblem();
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(env, 0);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });
  });
});
