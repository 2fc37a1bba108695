import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { runAgent } from '../../src/stream/run-agent.js';
import { sampleMetrics } from '../../src/stream/sample-metrics.js';
import { liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

describe('runAgent with a real agent', () => {
  it('stops cleanly on unsubscribe and frees every tensor of the agent it made', async () => {
    const before = liveTensors();
    let made: PredictiveAgent | null = null;
    const events = await lastValueFrom(
      runAgent({
        agent: () =>
          (made = new PredictiveAgent(makeEnvironment('Reber-v0').observationSpace, {
            layers: [16],
            engine: 'tfjs',
            seed: 1,
          })),
        environment: () => makeEnvironment('Reber-v0'),
        seed: 1,
      }).pipe(take(300), toArray()),
    );
    expect(events).toHaveLength(300);
    expect(made!.learner.steps).toBe(300);
    expect(liveTensors()).toBe(before);
    expect(() => made!.predict()).toThrow(expect.objectContaining({ code: 'ERR_DISPOSED' }));
  });

  it('streams prequential metrics that show learning', async () => {
    const agent = new PredictiveAgent(makeEnvironment('Periodic-v0').observationSpace, {
      layers: [24],
      seed: 1,
      metricWindow: 200,
    });
    const samples = await lastValueFrom(
      runAgent({ agent, environment: () => makeEnvironment('Periodic-v0'), seed: 2, steps: 3000 }).pipe(
        sampleMetrics(agent, 500),
        toArray(),
      ),
    );
    expect(samples.length).toBeGreaterThanOrEqual(6);
    expect(samples[0]!.metrics['next/accuracy']).toBeLessThan(samples[samples.length - 1]!.metrics['next/accuracy']!);
    expect(samples[samples.length - 1]!.metrics['next/accuracy']).toBeGreaterThan(0.95);
    agent.dispose();
  });

  it('sends a typed error down the error channel for an environment that emits NaN', async () => {
    const env = makeEnvironment('SineMixture-v0');
    const step = env.step.bind(env);
    let n = 0;
    env.step = () => ({ ...step(), observation: ++n === 20 ? Float32Array.of(NaN) : step().observation });
    const agent = new PredictiveAgent(env.observationSpace, { layers: [8], seed: 1 });
    await expect(
      firstValueFrom(runAgent({ agent, environment: env, seed: 1, steps: 100 }).pipe(toArray())),
    ).rejects.toMatchObject({ code: 'ERR_NON_FINITE' });
    expect(() => agent.predict()).not.toThrow(); // an instance passed in stays the caller's, and usable
    agent.dispose();
  });
});
