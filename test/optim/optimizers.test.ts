import { describe, expect, it } from 'vitest';
import { createOptimizer } from '../../src/optim/local-optimizer.js';
import { ENGINES, liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

describe.each(ENGINES)('optimisers on the %s engine', (_, e) => {
  /** Runs `steps` updates of one scalar parameter under a constant gradient `g`. */
  function run(kind: 'sgd' | 'rmsprop' | 'adam', spec: Record<string, number>, g: number, steps: number): number {
    const p = e.parameter(Float32Array.of(1), 1, 1);
    const opt = createOptimizer(e, { kind, ...spec });
    for (let i = 0; i < steps; i++) e.scope(() => opt.apply([[p, e.matrix(Float32Array.of(g), 1, 1)]]));
    const v = e.read(p)[0]!;
    e.free(p);
    opt.dispose();
    return v;
  }

  it('sgd with momentum follows v ← μv + g; θ ← θ − ηv', () => {
    // v1 = 2, θ1 = 1 − 0.2 = 0.8; v2 = 0.5·2 + 2 = 3, θ2 = 0.8 − 0.3 = 0.5
    expect(run('sgd', { learningRate: 0.1, momentum: 0.5 }, 2, 2)).toBeCloseTo(0.5, 6);
    expect(run('sgd', { learningRate: 0.1, momentum: 0 }, 2, 2)).toBeCloseTo(0.6, 6);
  });

  it('rmsprop follows s ← ρs + (1 − ρ)g²; θ ← θ − ηg/(√s + ε)', () => {
    expect(run('rmsprop', { learningRate: 0.01, rho: 0.9, epsilon: 1e-12 }, 2, 1)).toBeCloseTo(
      1 - 0.02 / Math.sqrt(0.4),
      6,
    );
  });

  it('adam takes steps of the learning rate under a constant gradient (bias-corrected)', () => {
    expect(run('adam', { learningRate: 0.01, epsilon: 1e-12 }, 3, 1)).toBeCloseTo(0.99, 6);
    expect(run('adam', { learningRate: 0.01, epsilon: 1e-12 }, 3, 5)).toBeCloseTo(0.95, 5);
  });

  it('saves and restores its slots, and frees them on dispose', () => {
    const before = liveTensors();
    const p = e.parameter(Float32Array.of(1, 2), 1, 2);
    const a = createOptimizer(e, { kind: 'adam' });
    e.scope(() => a.apply([[p, e.matrix(Float32Array.of(1, -1), 1, 2)]]));
    const state = a.getState([p]);
    const b = createOptimizer(e, { kind: 'adam' });
    b.setState([p], state);
    expect(b.getState([p])).toEqual(state);
    expect(() => b.setState([p], { ...state, kind: 'sgd' })).toThrow(
      expect.objectContaining({ code: 'ERR_CHECKPOINT_MISMATCH' }),
    );
    a.dispose();
    b.dispose();
    e.free(p);
    expect(liveTensors()).toBe(before);
  });
});
