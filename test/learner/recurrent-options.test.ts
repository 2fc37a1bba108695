// Options of the recurrent stack that change what a learning pass does: the weight of targets
// that came back in time only (timeWeight) and the input skip to the top (inputSkip).

import { describe, expect, it } from 'vitest';
import type { GatedLayer } from '../../src/learner/gated-layer.js';
import { RecurrentStack, type RecurrentStackOptions } from '../../src/learner/recurrent-stack.js';
import { Rng } from '../../src/random.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

const SYMBOLS = 5;

/** Predictions after `steps` steps of a seeded symbol stream, one row per step. */
function run(options: Omit<RecurrentStackOptions, 'input'>, steps = 80): Float32Array[] {
  const stack = new RecurrentStack({ input: { kind: 'categorical', size: SYMBOLS }, seed: 4, ...options });
  const rng = new Rng(9);
  const out: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const x = new Float32Array(SYMBOLS);
    x[rng.int(SYMBOLS)] = 1;
    stack.step(x);
    out.push(stack.readPredictions()[0]!);
  }
  stack.dispose();
  return out;
}

const largestGap = (a: Float32Array[], b: Float32Array[]): number =>
  Math.max(...a.map((p, t) => Math.max(...Array.from(p, (v, i) => Math.abs(v - b[t]![i]!)))));

describe.each(['fused', 'tfjs'] as const)('RecurrentStack options on the %s engine', (engine) => {
  it('timeWeight 0: the encoders learn from the new steps only, as with a window of 1', () => {
    const layers = [{ size: 12, cell: 'gated' as const }];
    const alone = run({ engine, layers, window: 1 });
    const zero = run({ engine, layers, window: 4, timeWeight: 0 });
    const full = run({ engine, layers, window: 4 });
    expect(largestGap(zero, alone)).toBeLessThan(1e-5);
    // The same window at weight 1 learns from the older steps' targets too.
    expect(largestGap(full, alone)).toBeGreaterThan(1e-3);
  });

  it('inputSkip: the top reads [top code, input]; the targets move the code only; state round-trips', () => {
    const options: RecurrentStackOptions = {
      input: { kind: 'categorical', size: SYMBOLS },
      layers: [7],
      inputSkip: true,
      seed: 2,
      engine,
    };
    const stack = new RecurrentStack(options);
    const e = stack.engine;
    expect(e.rows(stack.top.readout!.weights[0]!)).toBe(7 + SYMBOLS);
    for (let t = 0; t < 20; t++) stack.step(Float32Array.from({ length: SYMBOLS }, (_, i) => (i === t % 3 ? 1 : 0)));
    const layer = stack.readLayers()[0]!;
    expect(layer.target!.length).toBe(7);
    const copy = new RecurrentStack({ ...options, seed: 3 });
    copy.setState(stack.getState());
    const x = Float32Array.from({ length: SYMBOLS }, (_, i) => (i === 1 ? 1 : 0));
    stack.step(x);
    copy.step(x);
    expect(Array.from(copy.readPredictions()[0]!)).toEqual(Array.from(stack.readPredictions()[0]!));
    stack.dispose();
    copy.dispose();
  });
});

describe('RecurrentStack options', () => {
  it("layers[i].updateBias starts a gated cell's update gate there, and is refused on a simple cell", () => {
    const input = { kind: 'categorical' as const, size: 3 };
    const stack = new RecurrentStack({ input, layers: [{ size: 4, cell: 'gated', updateBias: 2 }] });
    const layer = stack.layers[0] as GatedLayer<unknown>;
    expect(Array.from(stack.engine.read(layer.updateBias))).toEqual([2, 2, 2, 2]);
    stack.dispose();
    expect(() => new RecurrentStack({ input, layers: [{ size: 4, cell: 'simple', updateBias: 2 }] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/only with cell "gated"/) }),
    );
  });

  it('refuses a timeWeight outside [0, 1] and a timeClip below 0, with ERR_INVALID_OPTION', () => {
    const input = { kind: 'categorical' as const, size: 3 };
    for (const bad of [{ timeWeight: 1.5 }, { timeWeight: -0.1 }, { timeClip: -1 }, { inputSkip: 'yes' }])
      expect(() => new RecurrentStack({ input, ...(bad as object) })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
  });
});
