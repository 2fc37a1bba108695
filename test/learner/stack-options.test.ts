// Option values of the stacks that were renamed: the old name still loads and resolves to the new.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { resolveStackOptions } from '../../src/learner/stack-options.js';
import { RecurrentStack } from '../../src/learner/recurrent-stack.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

describe('resolveStackOptions', () => {
  describe('unsupervisedTarget', () => {
    it("defaults to 'pseudo-label'", () => {
      expect(resolveStackOptions({ layers: [8] }, 'Stack').top.unsupervisedTarget).toBe('pseudo-label');
    });

    it("still accepts the deprecated 'map', as 'pseudo-label'", () => {
      const options = resolveStackOptions({ layers: [8], unsupervisedTarget: 'map' }, 'Stack');
      expect(options.top.unsupervisedTarget).toBe('pseudo-label');
      expect(resolveStackOptions({ layers: [8], unsupervisedTarget: 'density' }, 'Stack').top.unsupervisedTarget).toBe(
        'density',
      );
    });

    it('takes the prior targets with their options; a recurrent stack refuses them', () => {
      const prior = { layers: [8], unsupervisedTarget: 'parzen' as const, top: { prior: { capacity: 50 } } };
      const options = resolveStackOptions(prior, 'Stack');
      expect(options.top.unsupervisedTarget).toBe('parzen');
      expect(options.top.prior).toEqual({ history: 1000, capacity: 50 });
      const error = thrown(
        () => new RecurrentStack({ input: { kind: 'continuous', size: 1 }, unsupervisedTarget: 'gaussian' }),
      );
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toContain('a prior target is for feed-forward stacks');
    });

    it('refuses any other value, naming the choices', () => {
      const error = thrown(() => resolveStackOptions({ layers: [8], unsupervisedTarget: 'mode' as never }, 'Stack'));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'Stack: expected option "unsupervisedTarget" to be one of "pseudo-label", "map", "density", "gaussian", ' +
          '"factorial", "parzen", "nearest-neighbour", but got "mode"',
      );
    });
  });

  describe('top.dropProbability', () => {
    const modalities = [
      { name: 'action', kind: 'categorical' as const, size: 3 },
      { name: 'return', kind: 'continuous' as const, size: 1 },
    ];

    it('takes one number for every modality (default 0.5), or a record by name resolved in their order', () => {
      expect(resolveStackOptions({ layers: [8], modalities }, 'Stack').top.dropProbability).toBe(0.5);
      const top = { dropProbability: { return: 1 } };
      expect(resolveStackOptions({ layers: [8], modalities, top }, 'Stack').top.dropProbability).toEqual([0.5, 1]);
    });

    it('refuses an unknown modality, a value out of [0, 1] and a value of another type, with typed errors', () => {
      const bad = (dropProbability: unknown): unknown =>
        thrown(() =>
          resolveStackOptions({ layers: [8], modalities, top: { dropProbability: dropProbability as never } }, 'S'),
        );
      for (const value of [{ label: 1 }, { action: 2 }, [0.5, 0.5], 'all'])
        expect(bad(value)).toBeInstanceOf(InvalidOptionError);
      expect((bad({ action: 2 }) as Error).message).toMatch(/"action".*2/);
    });
  });

  describe('top.targetWeights', () => {
    const modalities = [{ name: 'action', kind: 'categorical' as const, size: 3 }];

    it('resolves a record by name to one weight per modality (default 1); refuses unknown names and negatives', () => {
      expect(resolveStackOptions({ layers: [8], modalities }, 'S').top.targetWeights).toEqual([1]);
      const top = { targetWeights: { action: 0 } };
      expect(resolveStackOptions({ layers: [8], modalities, top }, 'S').top.targetWeights).toEqual([0]);
      for (const targetWeights of [{ label: 1 }, { action: -1 }, 3])
        expect(
          thrown(() =>
            resolveStackOptions({ layers: [8], modalities, top: { targetWeights: targetWeights as never } }, 'S'),
          ),
        ).toBeInstanceOf(InvalidOptionError);
    });
  });

  describe('top.replay', () => {
    it('defaults to none (16 rows a pass when on); refuses a negative or fractional size with typed errors', () => {
      const top = resolveStackOptions({ layers: [8] }, 'S').top;
      expect([top.replay, top.replayRows]).toEqual([0, 16]);
      for (const replay of [-1, 2.5, 'many'])
        expect(
          thrown(() => resolveStackOptions({ layers: [8], top: { replay: replay as never } }, 'S')),
        ).toBeInstanceOf(InvalidOptionError);
      expect(thrown(() => resolveStackOptions({ layers: [8], top: { replayRows: 0 } }, 'S'))).toBeInstanceOf(
        InvalidOptionError,
      );
    });
  });
});
