// PredictiveAgent.infer: the side modalities missing from an observation, inferred from the
// stream's context and what is known. On ChannelDropout-v0 the missing channel is inferred far
// better than its running mean (prequential: before each step is learned); inference leaves the
// agent bit-identical and leaks nothing; bad queries are typed errors.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

function run(agent: PredictiveAgent, steps: number, from: number, score: boolean): { inferred: number; mean: number } {
  const env = makeEnvironment('ChannelDropout-v0');
  let inferred = 0;
  let meanError = 0;
  let mean = 0;
  let present = 0;
  let t = 0;
  for (const tr of environmentTransitions(env, { seed: 1, steps })) {
    const obs = tr.observation as Record<string, Float32Array>;
    if (score && t >= from && obs.partner === undefined) {
      const truth = tr.info.partner as number;
      inferred += (agent.infer({ observation: obs.observation! }).samples[0]!.partner![0]! - truth) ** 2;
      meanError += (mean - truth) ** 2;
    }
    if (obs.partner !== undefined) mean += (obs.partner[0]! - mean) / ++present;
    agent.observe(tr);
    t++;
  }
  return { inferred, mean: meanError };
}

describe('PredictiveAgent.infer', () => {
  it('infers a dropped channel from the other one’s history far better than its running mean', () => {
    const agent = new PredictiveAgent(makeEnvironment('ChannelDropout-v0').observationSpace, { seed: 1 });
    const { inferred, mean } = run(agent, 8000, 4000, true);
    // Measured: squared errors summing to 5.1 against the running mean's 249 (49×).
    expect(inferred).toBeLessThan(mean / 5);
    agent.dispose();
  });

  it('leaves the agent bit-identical, leaks nothing, and gives the same samples for a seed', () => {
    const space = makeEnvironment('ChannelDropout-v0').observationSpace;
    const agent = new PredictiveAgent(space, { seed: 2, top: { trainAutoEncoder: true } });
    run(agent, 300, 0, false);
    const before = agent.getState();
    const engine = agent.stack!.engine;
    const live = engine.live();
    const known = { observation: Float32Array.of(0.4) };
    const a = agent.infer(known, { method: 'mcmc', samples: 3, seed: 4 });
    expect(agent.infer(known, { method: 'mcmc', samples: 3, seed: 4 })).toEqual(a);
    expect(a.samples).toHaveLength(3);
    expect(Object.keys(a.samples[0]!)).toEqual(['partner']);
    expect(agent.infer(known).samples).toHaveLength(1);
    expect(engine.live()).toBe(live);
    expect(agent.getState()).toEqual(before);
    agent.dispose();
  });

  it('throws typed errors on an unknown modality, a wrong size, NaN, a missing input or nothing to infer', () => {
    const space = makeEnvironment('ChannelDropout-v0').observationSpace;
    const agent = new PredictiveAgent(space, { seed: 3 });
    const x = Float32Array.of(0.1);
    const cases: [unknown, unknown, new (...args: never[]) => Error, string][] = [
      [{ observation: x, label: 1 }, {}, InvalidOptionError, 'expected modalities among [observation, partner]'],
      [{ observation: Float32Array.of(1, 2) }, {}, ShapeMismatchError, '"observation"'],
      [{ observation: Float32Array.of(Number.NaN) }, {}, NonFiniteError, 'observation'],
      [{ partner: x }, {}, InvalidOptionError, 'expected the input "observation"'],
      [{ observation: x, partner: x }, {}, InvalidOptionError, 'every one is given'],
      [{ observation: x }, { method: 'mcmc' }, InvalidOptionError, 'for MCMC, but this stack does not train it'],
      [{ observation: x }, { stream: 2 }, InvalidOptionError, 'expected option "stream" in [0, 0]'],
      [{ observation: x }, { samples: 2, steps: 1 }, InvalidOptionError, 'unknown option "steps"'],
    ];
    for (const [known, options, type, message] of cases) {
      const error = thrown(() => agent.infer(known as never, options as never));
      expect(error, JSON.stringify(known)).toBeInstanceOf(type);
      expect((error as Error).message).toContain(message);
    }
    agent.dispose();
  });
});
