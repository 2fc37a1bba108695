// Option values of the stacks that were renamed: the old name still loads and resolves to the new.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { resolveStackOptions } from '../../src/learner/stack-options.js';
import { thrown } from '../helpers/thrown.js';

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

    it('refuses any other value, naming the choices', () => {
      const error = thrown(() => resolveStackOptions({ layers: [8], unsupervisedTarget: 'mode' as never }, 'Stack'));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'Stack: expected option "unsupervisedTarget" to be one of "pseudo-label", "map", "density", but got "mode"',
      );
    });
  });
});
