// PredictiveAgent.dream: the stack run free from its own predictions. A trained agent dreams
// strings of the grammar it learned (an untrained one does not), the dream is the same for a
// seed, and it leaves the agent bit-identical; bad options are typed errors; no tensor leaks.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { acceptsReber } from '../../environments/reber-grammar.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { box } from '../../src/environment/space.js';
import { InvalidOptionError, ShapeMismatchError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';
import { transition } from '../stream/helpers/marbles.js';

useEngine();

const B = 0;
const E = 6;

function trainedOnReber(steps: number): PredictiveAgent {
  const env = makeEnvironment('Reber-v0');
  const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
  for (const t of environmentTransitions(env, { seed: 1, steps })) agent.observe(t);
  return agent;
}

/** Share of dreams from the prompt B that are whole Reber strings up to their first E. */
function grammatical(agent: PredictiveAgent, temperature: number, n = 100): number {
  let ok = 0;
  for (let seed = 0; seed < n; seed++) {
    const symbols = [B, ...(agent.dream({ steps: 30, temperature, seed, prompt: [B] }).values as number[])];
    const end = symbols.indexOf(E);
    if (end >= 0 && acceptsReber(symbols.slice(0, end + 1))) ok++;
  }
  return ok / n;
}

describe('PredictiveAgent.dream', () => {
  it('dreams grammatical Reber strings once trained, where an untrained agent does not', () => {
    const untrained = trainedOnReber(1);
    const trained = trainedOnReber(8000);
    // Measured: 1.0 (T 0.5) and 0.89 (T 1) trained for 8,000 steps; 0 untrained.
    expect(grammatical(trained, 0.5)).toBeGreaterThanOrEqual(0.95);
    expect(grammatical(trained, 1)).toBeGreaterThanOrEqual(0.8);
    expect(grammatical(untrained, 1)).toBeLessThan(0.2);
    untrained.dispose();
    trained.dispose();
  });

  it('is the same for a seed, leaves the agent bit-identical and leaks nothing', () => {
    const agent = trainedOnReber(500);
    const before = agent.getState();
    const predictions = agent.predict();
    const engine = agent.stack!.engine;
    const live = engine.live();
    const a = agent.dream({ steps: 20, seed: 3 });
    const b = agent.dream({ steps: 20, seed: 3 });
    agent.dream({ steps: 5, prompt: [B, 1] });
    expect(engine.live()).toBe(live);
    expect(a).toEqual(b);
    expect(a.values).toHaveLength(20);
    expect(a.predictions).toHaveLength(20);
    for (const p of a.predictions) expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    // At temperature 0, each dreamed symbol is the most likely one of the prediction it came from.
    const greedy = agent.dream({ steps: 10, temperature: 0 });
    greedy.predictions.forEach((p, t) => expect(p[greedy.values[t] as number]).toBe(Math.max(...p)));
    expect(agent.getState()).toEqual(before);
    expect(agent.predict()).toEqual(predictions);
    agent.dispose();
  });

  it('dreams vectors inside the range the input has taken, spread by the temperature, from the current state', () => {
    const agent = new PredictiveAgent(box(1, -1, 1), { seed: 2 });
    const wave = (t: number): number => 0.6 * Math.sin((2 * Math.PI * t) / 20);
    for (let t = 0; t < 3000; t++) agent.observe(transition(t, Float32Array.of(wave(t))));
    const cold = agent.dream({ steps: 10, temperature: 0 });
    // Continuing the sine from t = 3000: its next values, up to the one-step errors compounding.
    const truth = Array.from({ length: 10 }, (_, k) => wave(3000 + k));
    const mse = cold.values.reduce<number>((s, v, k) => s + ((v as Float32Array)[0]! - truth[k]!) ** 2, 0) / 10;
    const repeat = truth.reduce((s, v) => s + (v - wave(2999)) ** 2, 0) / 10;
    expect(mse).toBeLessThan(repeat / 4);
    const hot = agent.dream({ steps: 200, temperature: 3, seed: 1 });
    const values = hot.values.map((v) => (v as Float32Array)[0]!);
    // The box is [-1, 1]; the input has kept to [-0.6, 0.6], and so do the dreams.
    const peak = Math.fround(0.6);
    expect(Math.max(...values)).toBeLessThanOrEqual(peak);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-peak);
    expect(new Set(values).size).toBeGreaterThan(100);
    expect(values.filter((v) => Math.abs(v) >= peak - 1e-6).length).toBeGreaterThan(0);
    // The range is part of the agent's state.
    const copy = new PredictiveAgent(box(1, -1, 1), { seed: 2 });
    copy.setState(agent.getState());
    expect(copy.dream({ steps: 50, temperature: 3, seed: 1 })).toEqual(
      agent.dream({ steps: 50, temperature: 3, seed: 1 }),
    );
    copy.dispose();
    agent.dispose();
  });

  it('throws typed errors on bad options and where there is nothing to dream from', () => {
    const agent = new PredictiveAgent(makeEnvironment('Reber-v0').observationSpace, { seed: 1 });
    const cases: [unknown, new (...args: never[]) => Error, string][] = [
      [{ steps: 5 }, InvalidOptionError, 'expected a prompt: there is no step to go on from'],
      [{ steps: 0, prompt: [B] }, InvalidOptionError, 'expected option "steps" to be an integer >= 1, but got 0'],
      [{ steps: 2, prompt: [9] }, ShapeMismatchError, 'prompt entry 0: expected "observation" to be a class index'],
      [{ steps: 2, prompt: [B], temperature: -1 }, InvalidOptionError, '"temperature" to be a number >= 0'],
      [{ steps: 2, prompt: [B], stream: 1 }, InvalidOptionError, 'expected option "stream" in [0, 0], but got 1'],
      [{ steps: 2, prompt: [B], length: 3 }, InvalidOptionError, 'unknown option "length"'],
    ];
    for (const [options, type, message] of cases) {
      const error = thrown(() => agent.dream(options as never));
      expect(error, JSON.stringify(options)).toBeInstanceOf(type);
      expect((error as Error).message).toContain(message);
    }
    const ngram = new PredictiveAgent(makeEnvironment('Reber-v0').observationSpace, { learner: 'ngram' });
    expect((thrown(() => ngram.dream({ steps: 3, prompt: [B] })) as Error).message).toContain(
      "expected the 'tp' learner",
    );
    agent.dispose();
    ngram.dispose();
  });
});
