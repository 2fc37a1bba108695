import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { checkAgent } from '../../src/agent/check-agent.js';
import { Ngram } from '../../src/baselines/ngram.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError } from '../../src/errors.js';
import { runLoop } from '../bench/run-agent-loop.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

const oneHot = (symbol: number, n = 3): Float32Array => {
  const x = new Float32Array(n);
  x[symbol] = 1;
  return x;
};

/** Steps `ngram` through `symbols`; returns the predictions read after each step. */
function feed(ngram: Ngram, symbols: number[]): number[][] {
  return symbols.map((s) => {
    ngram.step(oneHot(s));
    return Array.from(ngram.readPredictions()[0]!);
  });
}

describe('Ngram', () => {
  describe('#step', () => {
    it('predicts (count + 1) / (total + n) from the previous two symbols, before counting the next', () => {
      // 0 1 0 1 0: the contexts (0), (0,1), (1,0) are new until (0,1) and (1,0) come again.
      const p = feed(new Ngram({ input: { kind: 'categorical', size: 3 } }), [0, 1, 0, 1, 0]);
      const third = [1 / 3, 1 / 3, 1 / 3];
      [third, third, third, [2 / 4, 1 / 4, 1 / 4], [1 / 4, 2 / 4, 1 / 4]].forEach((want, t) =>
        want.forEach((v, c) => expect(p[t]![c]).toBeCloseTo(v, 6)),
      );
    });

    it('conditions on `order` symbols', () => {
      // Order 1 after 0 1 0: P(· | 0) has counted 0 → 1 once.
      const p = feed(new Ngram({ input: { kind: 'categorical', size: 3 }, order: 1 }), [0, 1, 0]);
      [1 / 4, 2 / 4, 1 / 4].forEach((v, c) => expect(p[2]![c]).toBeCloseTo(v, 6));
    });
  });

  describe('#startEpisode', () => {
    it('restarts the history: an episode opens on its short contexts, and its first symbol is not counted', () => {
      const ngram = new Ngram({ input: { kind: 'categorical', size: 3 } });
      feed(ngram, [0, 1, 0, 1, 0]);
      ngram.startEpisode();
      // Context (0), seen once in the first episode, followed by 1 (without the reset: (0, 0), never seen).
      const [afterZero] = feed(ngram, [0]);
      [1 / 4, 2 / 4, 1 / 4].forEach((v, c) => expect(afterZero![c]).toBeCloseTo(v, 6));
      ngram.startEpisode();
      // (2) is new, and nothing was counted under the empty context when the episode began.
      const [afterTwo] = feed(ngram, [2]);
      afterTwo!.forEach((v) => expect(v).toBeCloseTo(1 / 3, 6));
    });
  });

  it('refuses a continuous input', () => {
    expect(() => new Ngram({ input: { kind: 'continuous', size: 3 } })).toThrow(InvalidOptionError);
  });
});

describe("PredictiveAgent with learner 'ngram'", () => {
  it('reproduces the measured Moby-Dick floor: log loss 2.24 over the last 1,000 of 20,000 steps', () => {
    const env = makeEnvironment('MobyDick-v0');
    const agent = new PredictiveAgent(env.observationSpace, { learner: 'ngram' });
    runLoop(agent, env, { steps: 20000, seed: 1 });
    expect(Math.abs(agent.metrics()['next/logLoss']! - 2.24)).toBeLessThan(0.01);
    agent.dispose();
  });

  it('refuses a continuous input, and "order" with another learner', () => {
    const box = makeEnvironment('SineMixture-v0').observationSpace;
    expect(() => new PredictiveAgent(box, { learner: 'ngram' })).toThrow(
      /expected a categorical \(discrete\) input for learner 'ngram'/,
    );
    const symbols = makeEnvironment('Reber-v0').observationSpace;
    expect(() => new PredictiveAgent(symbols, { order: 3 })).toThrow(/expected option "order" only with learner/);
  });

  it('passes checkAgent (it cannot be saved, which checkAgent allows)', () => {
    const report = checkAgent(
      (space) => new PredictiveAgent(space, { learner: 'ngram' }),
      () => makeEnvironment('Reber-v0'),
      { steps: 120 },
    );
    expect(report.steps).toBe(120);
  });
});
