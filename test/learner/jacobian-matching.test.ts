// The decoders' L-DRL term (Ernoult et al. 2022; the recurrent stack's timeJacobian, the
// feed-forward stack's jacobianWeight): its gradient is, in expectation, V − J_fᵀ for a linear
// layer (so its fixed point is the transpose of the encoder's Jacobian in that part) on both
// engines; it makes a stack's run differ only when on; it frees what it makes; options are checked.

import { describe, expect, it } from 'vitest';
import { DenoisingLayer, type DenoisingLayerConfig } from '../../src/learner/denoising-layer.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { sideFromLabels } from '../../src/learner/side-batch.js';
import { RecurrentStack, type RecurrentStackOptions } from '../../src/learner/recurrent-stack.js';
import { Rng } from '../../src/random.js';
import { ENGINES, liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

const config: DenoisingLayerConfig = {
  inputs: [
    { size: 3, units: 'linear' },
    { size: 5, units: 'linear' },
  ],
  size: 5,
  units: 'linear',
  corruption: { kind: 'none', level: 0 },
  noise: 0,
  decoderTarget: 'corrupted',
  encoderReconstructionWeight: 0,
};

describe.each(ENGINES)('the L-DRL gradient on the %s engine', (_name, e) => {
  it('is V − W_contextᵀ in expectation: zero at the transpose, −Wᵀ at zero', () => {
    const layer = new DenoisingLayer(e, config, new Rng(3));
    const rows = 4000;
    const rng = new Rng(8);
    const parts = [3, 5].map((n) => e.gaussian(rows, n, 1, rng));
    const w = e.read(layer.weights[1]!); // [5 context, 5 code]
    const transpose = Float32Array.from({ length: 25 }, (_, i) => w[(i % 5) * 5 + Math.floor(i / 5)]!);
    const norm = Math.hypot(...w);
    const gradient = (v: Float32Array): Float32Array => {
      e.assign(layer.decoderWeights[1]!, e.matrix(v, 5, 5));
      const [dv, dc] = layer.jacobianGradients(parts, 1, 0.1, 1 / rows);
      const out = e.read(dv);
      e.free([dv, dc]);
      return out;
    };
    const atTranspose = gradient(transpose);
    expect(Math.hypot(...atTranspose) / norm).toBeLessThan(0.08);
    const atZero = gradient(new Float32Array(25));
    const gap = atZero.map((g, i) => g + transpose[i]!);
    expect(Math.hypot(...gap) / norm).toBeLessThan(0.08);
    e.free(parts);
    layer.dispose();
  });
});

describe('RecurrentStack with timeJacobian', () => {
  const input = { kind: 'categorical' as const, size: 4 };
  const symbols = (n: number): Float32Array[] => {
    const rng = new Rng(2);
    return Array.from({ length: n }, () => Float32Array.from({ length: 4 }, (_, i) => (i === rng.int(4) ? 1 : 0)));
  };
  const run = (options: Partial<RecurrentStackOptions>): Float32Array => {
    const stack = new RecurrentStack({ input, layers: [6], window: 4, seed: 5, ...options });
    for (const x of symbols(30)) stack.step(x);
    const out = stack.readPredictions()[0]!;
    stack.dispose();
    return out;
  };

  it('changes the run only when on (0 is the default, bit for bit)', () => {
    const base = Array.from(run({}));
    expect(Array.from(run({ timeJacobian: 0, timeJacobianNoise: 0.3 }))).toEqual(base);
    expect(Array.from(run({ timeJacobian: 1 }))).not.toEqual(base);
  });

  it('frees every tensor it makes on the tfjs engine', () => {
    const before = liveTensors();
    const stack = new RecurrentStack({ input, layers: [6, 5], window: 4, seed: 5, engine: 'tfjs', timeJacobian: 1 });
    const xs = symbols(30);
    xs.slice(0, 10).forEach((x) => stack.step(x));
    const settled = liveTensors();
    xs.slice(10).forEach((x) => stack.step(x));
    expect(liveTensors()).toBe(settled);
    stack.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('refuses a negative weight and a noise of 0, with ERR_INVALID_OPTION', () => {
    for (const bad of [{ timeJacobian: -1 }, { timeJacobianNoise: 0 }, { timeJacobian: 'on' }])
      expect(() => new RecurrentStack({ input, ...(bad as object) })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
  });
});

describe('FeedForwardStack with jacobianWeight', () => {
  const label = { name: 'label', kind: 'categorical' as const, size: 3 };
  const rng = new Rng(6);
  const inputs = Float32Array.from({ length: 20 * 8 }, () => rng.float());
  const labels = Int32Array.from({ length: 20 }, (_, i) => i % 3);
  const run = (options: object, engine: 'tfjs' | 'fused' = 'fused'): Float32Array => {
    const stack = new FeedForwardStack({
      inputSize: 8,
      layers: [6, 5],
      modalities: [label],
      seed: 2,
      engine,
      ...options,
    });
    for (let i = 0; i < 10; i++) stack.train(inputs, 20, sideFromLabels(label, labels));
    const out = stack.predict(inputs, 20)[0]!;
    stack.dispose();
    return out;
  };

  it('changes the run only when on (0 is the default, bit for bit)', () => {
    const base = Array.from(run({}));
    expect(Array.from(run({ jacobianWeight: 0, jacobianNoise: 0.5 }))).toEqual(base);
    expect(Array.from(run({ jacobianWeight: 1 }))).not.toEqual(base);
  });

  it('frees every tensor it makes on the tfjs engine', () => {
    const before = liveTensors();
    run({ jacobianWeight: 1 }, 'tfjs');
    expect(liveTensors()).toBe(before);
  });

  it('refuses a negative weight and a noise of 0, with ERR_INVALID_OPTION', () => {
    for (const bad of [{ jacobianWeight: -1 }, { jacobianNoise: 0 }])
      expect(() => new FeedForwardStack({ inputSize: 8, ...bad })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
  });
});
