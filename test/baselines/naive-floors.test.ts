// The naive floors of a continuous stream, repeat-last and linear extrapolation: hand-computed
// predictions, episode starts, the refusals, and both as learner kinds of the PredictiveAgent.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { checkAgent } from '../../src/agent/check-agent.js';
import { LinearExtrapolation } from '../../src/baselines/linear-extrapolation.js';
import { RepeatLast } from '../../src/baselines/repeat-last.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { SequenceLearner } from '../../src/learner/sequence-learner.js';
import { runLoop } from '../bench/run-agent-loop.js';
import { thrown } from '../helpers/thrown.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

/** Steps `learner` through `rows`; returns the predictions read after each step. */
function feed(learner: SequenceLearner, rows: number[][]): number[][] {
  return rows.map((row) => {
    learner.step(Float32Array.from(row));
    return Array.from(learner.readPredictions()[0]!);
  });
}

const continuous = { kind: 'continuous', size: 2 } as const;

describe('RepeatLast', () => {
  it('predicts the last observation, zeros before the first', () => {
    const learner = new RepeatLast({ input: continuous });
    expect(Array.from(learner.readPredictions()[0]!)).toEqual([0, 0]);
    expect(
      feed(learner, [
        [0.5, -1],
        [0.25, 2],
      ]),
    ).toEqual([
      [0.5, -1],
      [0.25, 2],
    ]);
    expect(learner.steps).toBe(2);
  });

  it('keeps each stream apart', () => {
    const learner = new RepeatLast({ input: { kind: 'continuous', size: 1 }, streams: 2 });
    expect(
      feed(learner, [
        [1, 2],
        [3, 4],
      ]),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('LinearExtrapolation', () => {
  it('predicts 2 x_t − x_{t−1}, and repeats x_t at the first step', () => {
    const learner = new LinearExtrapolation({ input: continuous });
    expect(
      feed(learner, [
        [0.5, -1],
        [0.75, -0.5],
        [0.5, 0.5],
      ]),
    ).toEqual([
      [0.5, -1],
      [1, 0],
      [0.25, 1.5],
    ]);
  });

  it('forgets x_{t−1} at an episode start, of the streams that start only', () => {
    const learner = new LinearExtrapolation({ input: { kind: 'continuous', size: 1 }, streams: 2 });
    feed(learner, [
      [1, 1],
      [2, 2],
    ]);
    learner.startEpisode([1]);
    expect(feed(learner, [[4, 8]])).toEqual([[6, 8]]);
    learner.endEpisode();
    expect(feed(learner, [[5, 5]])).toEqual([[5, 5]]);
  });
});

describe.each([
  ['RepeatLast', (input: never) => new RepeatLast({ input })],
  ['LinearExtrapolation', (input: never) => new LinearExtrapolation({ input })],
] as const)('%s', (name, make) => {
  it('refuses a categorical input, and a wrong-sized step', () => {
    const error = thrown(() => make({ kind: 'categorical', size: 3 } as never));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${name}: expected option "input" to be \\{ kind: 'continuous'`),
    );
    expect(() => make(continuous as never).step(new Float32Array(3))).toThrow(/expected 1 × 2 inputs/);
  });
});

describe.each(['repeat-last', 'linear-extrapolation'] as const)("PredictiveAgent with learner '%s'", (learner) => {
  it('scores its floor on the sine mixture, below the variance of the signal', () => {
    const env = makeEnvironment('SineMixture-v0');
    const agent = new PredictiveAgent(env.observationSpace, { learner });
    runLoop(agent, env, { steps: 2000, seed: 1 });
    const mse = agent.metrics()['next/squaredError']!;
    // The signal's variance is (0.5² + 0.3²) / 2 = 0.17; a step of period 20 moves far less.
    expect(mse).toBeGreaterThan(0);
    expect(mse).toBeLessThan(learner === 'repeat-last' ? 0.05 : 0.01);
    expect(agent.topology.agent).toBe(`predictive-${learner}`);
    agent.dispose();
  });

  it('refuses a categorical input, side modalities and predictNext: false', () => {
    const symbols = makeEnvironment('Reber-v0').observationSpace;
    expect(() => new PredictiveAgent(symbols, { learner })).toThrow(
      new RegExp(`expected a continuous \\(box\\) input for learner '${learner}'`),
    );
    const labelled = makeEnvironment('Adding-v0').observationSpace;
    expect(() => new PredictiveAgent(labelled, { learner })).toThrow(/to predict the next observation only/);
    const box = makeEnvironment('SineMixture-v0').observationSpace;
    expect(() => new PredictiveAgent(box, { learner, predictNext: false })).toThrow(/but got predictNext: false/);
  });

  it('passes checkAgent (it cannot be saved, which checkAgent allows)', () => {
    const report = checkAgent(
      (space) => new PredictiveAgent(space, { learner }),
      () => makeEnvironment('RegimeSwitch-v0'),
      { steps: 120 },
    );
    expect(report.steps).toBe(120);
  });
});
