import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { vectorTransitions } from '../../src/stream/vector-transitions.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { VectorEnvironment } from '../../src/wrappers/vector-environment.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

describe('PredictiveAgent#observeBatch', () => {
  it('learns from N seeded copies of an environment fed as one batch per step', () => {
    const vector = new VectorEnvironment(() => makeEnvironment('Reber-v0'), {
      copies: 4,
      seed: 10,
      autoreset: 'next-step',
    });
    const agent = new PredictiveAgent(vector.observationSpace, {
      layers: [32],
      window: 8,
      streams: 4,
      seed: 1,
      metricWindow: 2000,
    });
    for (const batch of vectorTransitions(vector, { steps: 2000 })) agent.observeBatch(batch);
    expect(agent.metrics()['next/legal']).toBeGreaterThanOrEqual(0.97);
    agent.dispose();
  });

  it('gives each copy the same transitions a lone environment with its seed gives', () => {
    const vector = new VectorEnvironment(() => makeEnvironment('Reber-v0'), {
      copies: 3,
      seed: 20,
      autoreset: 'next-step',
    });
    const batches = [...vectorTransitions(vector, { steps: 60 })];
    const lone = [...environmentTransitions(makeEnvironment('Reber-v0'), { seed: 22, steps: 60 })];
    expect(batches.map((b) => b[2])).toEqual(lone);
  });

  it('with one stream, matches observe() transition by transition', () => {
    const space = makeEnvironment('Reber-v0').observationSpace;
    const a = new PredictiveAgent(space, { layers: [8], seed: 2 });
    const b = new PredictiveAgent(space, { layers: [8], seed: 2 });
    for (const t of environmentTransitions(makeEnvironment('Reber-v0'), { seed: 1, steps: 200 })) {
      a.observe(t);
      b.observeBatch([t]);
    }
    expect(a.predict()).toEqual(b.predict());
    expect(() => new PredictiveAgent(space, { layers: [8], streams: 2 }).observe(undefined as never)).toThrow(
      /use observeBatch/,
    );
    a.dispose();
    b.dispose();
  });
});
