// The engine's debug counter: exact counts of calls, matrices and bytes; nothing counted while it
// is off; and the default agent's steady-state step held to a budget of calls and allocations.

import { afterEach, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { countEngineCalls, engineCounts, engineFor, fusedEngine, resetEngineCounts } from '../../src/math/index.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';

useEngine();
afterEach(() => countEngineCalls(false));

describe('the engine counter', () => {
  it('counts each call, each matrix a call returns and its bytes, and nothing while off', () => {
    countEngineCalls(true);
    const e = engineFor('fused', 1, 'test');
    expect(e).not.toBe(fusedEngine);
    const a = e.matrix(new Float32Array(6), 2, 3);
    const b = e.matrix(new Float32Array(12), 3, 4);
    e.matMul(a, b); // [2, 4]
    e.splitRows(b, 3); // three [1, 4]
    expect(engineCounts()).toMatchObject({ calls: 4, matrices: 6, bytes: (6 + 12 + 8 + 12) * 4, flops: 2 * 2 * 3 * 4 });
    e.matMulAT(b, b); // [3, 4]ᵀ·[3, 4]: [4, 4] from 3-long sums
    e.matMulBT(a, a); // [2, 3]·[2, 3]ᵀ: [2, 2]
    expect(engineCounts().flops).toBe(2 * 2 * 3 * 4 + 2 * 3 * 4 * 4 + 2 * 2 * 3 * 2);
    expect(engineCounts().byMethod).toEqual({ matrix: 2, matMul: 1, splitRows: 1, matMulAT: 1, matMulBT: 1 });
    resetEngineCounts();
    expect(engineCounts().calls).toBe(0);
    countEngineCalls(false);
    expect(engineFor('fused', 1, 'test')).toBe(fusedEngine);
  });

  it("holds the default agent's steady-state step to a budget of calls and allocations", () => {
    countEngineCalls(true);
    const env = makeEnvironment('Reber-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
    const transitions = [...environmentTransitions(env, { seed: 1, steps: 400 })];
    for (const t of transitions.slice(0, 300)) agent.observe(t);
    resetEngineCounts();
    const made = fusedEngine.allocated!();
    for (const t of transitions.slice(300)) agent.observe(t);
    const arrays = fusedEngine.allocated!() - made;
    const { calls, matrices, bytes } = engineCounts();
    agent.dispose();
    // One gated layer of 64, window 8, the defaults; S = 1. Calls, results and their KB a step:
    // 290, 270, 188 KB before 2026-12-01's changes; 219, 192, 176 KB after; 96, 71, 18 KB since
    // 2026-12-03's fused calls (the gated cell's whole fit, the first layer's step back in time,
    // the decoders' gradients). Results are recycled by the scopes since then, so the steady step
    // makes no arrays at all. Lower the budget as the step gets leaner.
    if (process.env.TPROP_FUSED_POISON !== '1') expect(arrays).toBe(0);
    expect(calls / 100).toBeLessThanOrEqual(100);
    expect(matrices / 100).toBeLessThanOrEqual(75);
    expect(bytes / 100 / 1024).toBeLessThanOrEqual(20);
  });
});
