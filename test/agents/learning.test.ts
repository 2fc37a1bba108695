import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import type { Agent } from '../../src/agent/agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import type { SpaceValue } from '../../src/environment/space.js';
import { liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

function feed(
  agent: Agent,
  id: string,
  envOptions: Record<string, unknown>,
  options: { steps?: number; episodes?: number; seed: number },
  view?: (o: SpaceValue) => SpaceValue,
  onStep?: (label: unknown) => void,
): void {
  for (const t of environmentTransitions(makeEnvironment(id, envOptions), options)) {
    agent.observe(view ? { ...t, observation: view(t.observation) } : t);
    onStep?.((t.observation as Record<string, unknown>)?.label);
  }
}

describe('PredictiveAgent learning online (seeded, prequential)', () => {
  it('learns a deterministic periodic sequence to near-zero prediction error', () => {
    const agent = new PredictiveAgent(makeEnvironment('Periodic-v0').observationSpace, {
      layers: [24],
      window: 8,
      seed: 1,
      metricWindow: 500,
    });
    feed(agent, 'Periodic-v0', {}, { steps: 4000, seed: 2 });
    const m = agent.metrics();
    // Only the second symbol of an episode can be uncertain (a 2 may be followed by 3 or by 1).
    expect(m['next/accuracy']).toBeGreaterThanOrEqual(0.99);
    expect(m['next/logLoss']).toBeLessThan(0.05);
    agent.dispose();
  });

  it('learns a noiseless sine mixture to a squared error far below its variance', () => {
    const envOptions = { noise: 0, randomPhase: false };
    const agent = new PredictiveAgent(makeEnvironment('SineMixture-v0', envOptions).observationSpace, {
      layers: [32],
      window: 8,
      seed: 1,
      metricWindow: 500,
    });
    feed(agent, 'SineMixture-v0', envOptions, { steps: 6000, seed: 2 });
    // The signal's variance is (0.5² + 0.3²)/2 = 0.17; a good predictor is two orders below it.
    expect(agent.metrics()['next/squaredError']).toBeLessThan(0.0017);
    agent.dispose();
  });

  it('predicts a legal successor in the Reber grammar at least 97% of the time', () => {
    const agent = new PredictiveAgent(makeEnvironment('Reber-v0').observationSpace, {
      layers: [32],
      window: 8,
      seed: 1,
      metricWindow: 1000,
    });
    feed(agent, 'Reber-v0', {}, { steps: 12000, seed: 3 });
    expect(agent.metrics()['next/legal']).toBeGreaterThanOrEqual(0.97);
    agent.dispose();
  });

  it('keeps the tensor count flat over a long run on the tfjs engine, and frees it all on dispose', () => {
    const before = liveTensors();
    const agent = new PredictiveAgent(makeEnvironment('EmbeddedReber-v0').observationSpace, {
      layers: [16, 12],
      window: 10,
      updateEvery: 2,
      engine: 'tfjs',
      seed: 1,
      top: { trainAutoEncoder: true },
    });
    let atWarm = 0;
    let step = 0;
    for (const t of environmentTransitions(makeEnvironment('EmbeddedReber-v0'), { steps: 900, seed: 1 })) {
      agent.observe(t);
      if (++step === 300) atWarm = liveTensors();
      if (step % 250 === 0) agent.snapshot();
    }
    expect(liveTensors()).toBe(atWarm);
    agent.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('refuses a non-finite or wrongly shaped observation with a typed error and stays usable', () => {
    const space = makeEnvironment('SineMixture-v0').observationSpace;
    const agent = new PredictiveAgent(space, { layers: [8], seed: 1 });
    const twin = new PredictiveAgent(space, { layers: [8], seed: 1 });
    const stream = [...environmentTransitions(makeEnvironment('SineMixture-v0'), { steps: 40, seed: 1 })];
    stream.slice(0, 20).forEach((t) => {
      agent.observe(t);
      twin.observe(t);
    });
    const t = stream[20]!;
    expect(() => agent.observe({ ...t, observation: Float32Array.of(NaN) })).toThrow(
      expect.objectContaining({ code: 'ERR_NON_FINITE' }),
    );
    expect(() => agent.observe({ ...t, observation: Float32Array.of(0.1, 0.2) })).toThrow(
      expect.objectContaining({ code: 'ERR_SHAPE_MISMATCH' }),
    );
    expect(() => agent.observe({ ...t, observation: 3 as never })).toThrow(
      expect.objectContaining({ code: 'ERR_SHAPE_MISMATCH' }),
    );
    stream.slice(20).forEach((s) => {
      agent.observe(s);
      twin.observe(s);
    });
    expect(agent.predict()).toEqual(twin.predict());
    agent.dispose();
    twin.dispose();
  });
});
