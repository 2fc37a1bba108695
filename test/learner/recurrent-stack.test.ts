// The recurrent stack refuses to learn from non-finite codes: a NaN weight is caught at the next
// learning pass, with a typed error, on either engine.

import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import { RecurrentStack } from '../../src/learner/recurrent-stack.js';
import { thrown } from '../helpers/thrown.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

const oneHot = (symbol: number): Float32Array => {
  const x = new Float32Array(8);
  x[symbol] = 1;
  return x;
};

/** A stack whose layer 1 weight from symbol 6 to unit 0 is NaN. */
const poisoned = (engine: 'tfjs' | 'fused'): RecurrentStack => {
  const stack = new RecurrentStack({ input: { kind: 'categorical', size: 8 }, layers: [6, 5], seed: 1, engine });
  const e = stack.engine;
  const w = stack.layers[0]!.weights[0]!;
  const values = e.read(w);
  values[6 * e.cols(w)] = NaN;
  e.scope(() => e.assign(w, e.matrix(values, e.rows(w), e.cols(w))));
  return stack;
};

describe('RecurrentStack', () => {
  describe.each(['fused', 'tfjs'] as const)('#step on the %s engine', (engine) => {
    it('throws NonFiniteError (ERR_NON_FINITE) at the pass that would learn from a NaN code', () => {
      const stack = poisoned(engine);
      stack.step(oneHot(6)); // reads the NaN weight: a NaN code; its step completes with the next input…
      const error = thrown(() => stack.step(oneHot(0))); // …and the pass that would learn from it refuses
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(error).toMatchObject({ code: 'ERR_NON_FINITE' });
      expect((error as Error).message).toBe(
        "RecurrentStack.step: expected finite codes, but layer 1's code at step 0 is NaN (the weights have diverged; " +
          'lower the step size)',
      );
      stack.dispose();
    });

    it('catches a NaN weight that only zero inputs meet (the fused products skip them) within two passes', () => {
      // Where a fused product skips the zero input, the codes stay finite and the decoder's loss of
      // the first pass does not; where a kernel's tail does not skip it, the code shows the NaN.
      const stack = poisoned(engine);
      let t = 0;
      const error = thrown(() => {
        for (; t < 10; t++) stack.step(oneHot(t % 2)); // never symbol 6
      });
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(t).toBeLessThanOrEqual(2);
      expect((error as Error).message).toMatch(/layer 1's (code at step \d+|decoder loss at the last learning pass)/);
      stack.dispose();
    });

    it('names the entry point: endEpisode learns the last step and refuses it too', () => {
      const stack = poisoned(engine);
      stack.step(oneHot(6));
      expect(() => stack.endEpisode()).toThrow(
        "RecurrentStack.endEpisode: expected finite codes, but layer 1's code at step 0 is NaN",
      );
      stack.dispose();
    });
  });
});
