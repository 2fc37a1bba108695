import { beforeAll, describe, expect, it } from 'vitest';
import { DenoisingLayer } from '../../src/learner/denoising-layer.js';
import { Rng } from '../../src/random.js';
import { RecurrentStack } from '../../src/learner/recurrent-stack.js';
import { targetsThroughTime, type WindowStep } from '../../src/learner/through-time.js';
import { ENGINES, useEngine } from '../helpers/engine.js';

useEngine();

describe.each(ENGINES)('targetsThroughTime on the %s engine', (_, e) => {
  let layers: DenoisingLayer<unknown>[] = [];
  beforeAll(() => {
    const rng = new Rng(7);
    layers = [
      new DenoisingLayer(
        e,
        {
          inputs: [
            { size: 3, units: 'sigmoid' },
            { size: 5, units: 'tanh', init: 'orthogonal' },
          ],
          size: 5,
          units: 'tanh',
          corruption: { kind: 'none', level: 0 },
          noise: 0,
          decoderTarget: 'clean',
          encoderReconstructionWeight: 0,
        },
        rng,
      ),
      new DenoisingLayer(
        e,
        {
          inputs: [
            { size: 5, units: 'tanh' },
            { size: 4, units: 'tanh', init: 'orthogonal' },
          ],
          size: 4,
          units: 'tanh',
          corruption: { kind: 'none', level: 0 },
          noise: 0,
          decoderTarget: 'clean',
          encoderReconstructionWeight: 0,
        },
        rng,
      ),
    ];
  });
  /** A window of `n` steps run through the layers from zero contexts; `breaks` start new episodes. */
  function window(n: number, breaks: number[] = []): WindowStep<unknown>[] {
    const steps: WindowStep<unknown>[] = [];
    let contexts = [e.zeros(1, 5), e.zeros(1, 4)];
    for (let t = 0; t < n; t++) {
      const x = e.matrix(
        Float32Array.from({ length: 3 }, (_, i) => (i === t % 3 ? 1 : 0)),
        1,
        3,
      );
      const continues = e.matrix(Float32Array.of(breaks.includes(t) || t === 0 ? 0 : 1), 1, 1);
      let below = x;
      const inputs: [unknown, unknown][] = [];
      const codes: unknown[] = [];
      layers.forEach((layer, l) => {
        const context = e.mul(contexts[l]!, continues);
        const { code } = layer.encode([below, context], false);
        inputs.push([below, context]);
        codes.push(code);
        below = code;
      });
      contexts = codes;
      steps.push({ inputs, codes, continues });
    }
    return steps;
  }
  const max = (m: unknown): number => Math.max(...Array.from(e.read(m), Math.abs));

  it('gives every layer at every step a target equal to its code when the top asks for no change', () => {
    const steps = window(6);
    const zero = steps.map(() => e.zeros(1, 4));
    const targets = targetsThroughTime(e, layers, steps, zero, 'difference');
    targets.forEach((perStep, l) =>
      perStep.forEach((t, i) => expect(max(e.sub(t!, steps[i]!.codes[l]!))).toBeLessThan(1e-6)),
    );
  });

  it('carries a displacement at the newest step down the layers and back in time through the decoders', () => {
    const steps = window(4);
    const shift = e.matrix(Float32Array.of(0.2, -0.1, 0.05, 0.3), 1, 4);
    const targets = targetsThroughTime(e, layers, steps, [null, null, null, shift], 'difference');
    // Top layer, newest step: code + shift.
    expect(max(e.sub(targets[1]![3]!, e.add(steps[3]!.codes[1]!, shift)))).toBeLessThan(1e-6);
    // Top layer, one step back: code + g_prev(ĥ) − g_prev(h), computed by hand.
    const expected = e.add(
      steps[2]!.codes[1]!,
      e.sub(layers[1]!.decodePart(targets[1]![3]!, 1), layers[1]!.decodePart(steps[3]!.codes[1]!, 1)),
    );
    expect(max(e.sub(targets[1]![2]!, expected))).toBeLessThan(1e-6);
    // Bottom layer, newest step: code + g_below(ĥ) − g_below(h).
    const down = e.add(
      steps[3]!.codes[0]!,
      e.sub(layers[1]!.decodePart(targets[1]![3]!, 0), layers[1]!.decodePart(steps[3]!.codes[1]!, 0)),
    );
    expect(max(e.sub(targets[0]![3]!, down))).toBeLessThan(1e-6);
    // Every step of the window received a target.
    for (const perStep of targets) expect(perStep.every((t) => t !== null)).toBe(true);
  });

  it('with a clip c, sends back in time no displacement larger than c times the one it came from', () => {
    const steps = window(6);
    const shift = e.matrix(Float32Array.of(0.6, -0.4, 0.5, 0.7), 1, 4);
    const shifts = [null, null, null, null, null, shift];
    const free = targetsThroughTime(e, layers, steps, shifts, 'difference');
    const clipped = targetsThroughTime(e, layers, steps, shifts, 'difference', { clip: 0.5 });
    const norm = (m: unknown): number => Math.hypot(...Array.from(e.read(m)));
    // Top layer: it receives nothing from above below the newest step, so each older displacement
    // is only what came back in time, at most half the later one.
    for (let i = 4; i >= 0; i--) {
      const later = norm(e.sub(clipped[1]![i + 1]!, steps[i + 1]!.codes[1]!));
      const here = norm(e.sub(clipped[1]![i]!, steps[i]!.codes[1]!));
      expect(here).toBeLessThanOrEqual(0.5 * later + 1e-6);
    }
    // The newest step is not touched; an older one is (the clip binds here).
    expect(max(e.sub(clipped[1]![5]!, free[1]![5]!))).toBeLessThan(1e-6);
    expect(max(e.sub(clipped[1]![1]!, free[1]![1]!))).toBeGreaterThan(1e-4);
    // A clip that never binds changes nothing.
    const loose = targetsThroughTime(e, layers, steps, shifts, 'difference', { clip: 1e6 });
    loose.forEach((perStep, l) => perStep.forEach((t, i) => expect(max(e.sub(t!, free[l]![i]!))).toBeLessThan(1e-6)));
  });

  it('stops at an episode boundary: the previous episode receives no displacement', () => {
    const steps = window(5, [3]);
    const shift = e.matrix(Float32Array.of(0.2, -0.1, 0.05, 0.3), 1, 4);
    const targets = targetsThroughTime(e, layers, steps, [null, null, null, null, shift], 'difference');
    targets.forEach((perStep, l) => {
      expect(max(e.sub(perStep[3]!, steps[3]!.codes[l]!))).toBeGreaterThan(1e-4); // the new episode moves
      // The old one does not.
      for (const i of [0, 1, 2]) expect(max(e.sub(perStep[i]!, steps[i]!.codes[l]!))).toBeLessThan(1e-6);
    });
  });
});

describe('RecurrentStack', () => {
  it('learns the same on the tfjs and the fused engine (same seed, same stream)', () => {
    const run = (engine: 'tfjs' | 'fused'): Float32Array => {
      const stack = new RecurrentStack({
        input: { kind: 'categorical', size: 4 },
        layers: [10, 8],
        window: 5,
        updateEvery: 2,
        seed: 3,
        engine,
        noise: 0.05,
        top: { trainAutoEncoder: true },
      });
      for (let t = 0; t < 120; t++) {
        const x = new Float32Array(4);
        x[(t * 7) % 4] = 1;
        stack.step(x);
        if (t % 30 === 29) stack.endEpisode();
      }
      const p = stack.readPredictions()[0]!;
      stack.dispose();
      return p;
    };
    const a = run('tfjs');
    const b = run('fused');
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-3));
  });

  it('refuses options that leave nothing to predict, and an update period longer than the window', () => {
    expect(() => new RecurrentStack({ input: { kind: 'categorical', size: 3 }, predictNext: false })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => new RecurrentStack({ input: { kind: 'categorical', size: 3 }, window: 4, updateEvery: 5 })).toThrow(
      /"updateEvery" to be an integer >= 1 <= 4/,
    );
  });
});
