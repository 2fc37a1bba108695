// The agent's calibrated anomaly scores (Outcome.anomaly): present per scored modality, 0 through
// the warm-up; on a stream with injected anomalies they rank the anomalous steps far above the
// normal ones (prequential: each step is scored before it is learned), where the raw error does
// not; `protect` keeps what is flagged out of the learning; and they survive a checkpoint exactly.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent, type PredictiveAgentOptions } from '../../agents/predictive-agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { CheckpointError, InvalidOptionError } from '../../src/errors.js';
import { box, discrete } from '../../src/environment/space.js';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { Ngram } from '../../src/baselines/ngram.js';
import { averagePrecision, rocAuc } from '../../src/metrics/detection-scores.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import type { Outcome } from '../../src/agent/agent.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';
import { transition } from '../stream/helpers/marbles.js';

useEngine();

function sine(steps: number, from = 0): { observation: Float32Array; step: number }[] {
  return Array.from({ length: steps }, (_, i) => ({
    observation: Float32Array.of(Math.sin((2 * Math.PI * (from + i)) / 17)),
    step: from + i,
  }));
}

function observe(agent: PredictiveAgent, items: { observation: Float32Array; step: number }[]): Outcome[] {
  return items.map(({ observation, step }) => agent.observe(transition(step, observation)));
}

/** Seed 2's stream, 8,000 steps, scored after 2,000: AUC, AP, the summed error, the final state. */
function injectedRun(options: PredictiveAgentOptions) {
  const env = makeEnvironment('InjectedAnomalies-v0');
  const agent = new PredictiveAgent(env.observationSpace, { seed: 2, ...options });
  const scores: number[] = [];
  const labels: boolean[] = [];
  let error = 0;
  for (const t of environmentTransitions(env, { seed: 2, steps: 8000 })) {
    const outcome = agent.observe(t);
    if (t.step < 2000) continue;
    scores.push(outcome.anomaly!.next!);
    labels.push(t.info.anomaly === true);
    error += outcome.scores['next/squaredError']!;
  }
  const state = agent.getState();
  agent.dispose();
  return { auc: rocAuc(scores, labels), ap: averagePrecision(scores, labels), error, state };
}

/** The default agent's run, shared by the tests that compare with it. */
let plain: ReturnType<typeof injectedRun> | null = null;
const plainRun = (): ReturnType<typeof injectedRun> => (plain ??= injectedRun({}));

describe('PredictiveAgent anomaly scores', () => {
  it('scores each scored modality, 0 in the warm-up, in [0, 1] after; a frame holds the peak', () => {
    const agent = new PredictiveAgent(box(1, -1, 1), { seed: 1, anomaly: { warmup: 30 } });
    const outcomes = observe(agent, sine(200));
    expect(outcomes[0]!.anomaly).toEqual({});
    const scores = outcomes.slice(1).map((o) => o.anomaly!.next!);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    // The history starts w = 10 steps after the first score and must hold 30 before any score.
    expect(scores.slice(0, 38).every((s) => s === 0)).toBe(true);
    expect(scores.slice(60).some((s) => s > 0)).toBe(true);
    // A frame shows the largest score since the frame before.
    agent.snapshot();
    const later = observe(agent, sine(20, 200)).map((o) => o.anomaly!.next!);
    expect(agent.snapshot().modalities[0]!.anomaly).toBe(Math.max(...later));
    expect(agent.snapshot().modalities[0]!.anomaly).toBeNull();
    agent.dispose();
    const none = new PredictiveAgent(box(1, -1, 1), { seed: 1, anomaly: false });
    expect(observe(none, sine(20)).every((o) => Object.keys(o.anomaly!).length === 0)).toBe(true);
    none.dispose();
  });

  it('ranks injected anomalies far above normal steps, where the raw error does not', () => {
    const env = makeEnvironment('InjectedAnomalies-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
    const calibrated: number[] = [];
    const raw: number[] = [];
    const labels: boolean[] = [];
    for (const t of environmentTransitions(env, { seed: 1, steps: 6000 })) {
      const outcome = agent.observe(t);
      if (t.step < 2000) continue;
      calibrated.push(outcome.anomaly!.next!);
      raw.push(outcome.scores['next/squaredError']!);
      labels.push(t.info.anomaly === true);
    }
    agent.dispose();
    // Measured (seed 1): calibrated AUC 0.94, AP 0.89; the raw error 0.31, 0.22 (a level shift
    // barely moves a squared error summed with the other channels; a plateau lowers it).
    expect(rocAuc(calibrated, labels)).toBeGreaterThan(0.9);
    expect(averagePrecision(calibrated, labels)).toBeGreaterThan(0.8);
    expect(rocAuc(raw, labels)).toBeLessThan(0.6);
    // Calibrated: normal steps rarely score above 0.99 (measured 0.028).
    const normal = calibrated.filter((_, i) => !labels[i]);
    expect(normal.filter((s) => s > 0.99).length / normal.length).toBeLessThan(0.05);
  });

  it('with a slow reference learner, flags long events the agent adapts to, predicting as well as before', () => {
    const own = plainRun();
    const referenced = injectedRun({ anomaly: { reference: true } });
    // Measured (seed 2, 6,000 steps scored): AUC 0.846 → 0.912, AP 0.708 → 0.844; the same predictions.
    expect(referenced.auc).toBeGreaterThan(own.auc + 0.03);
    expect(referenced.ap).toBeGreaterThan(own.ap + 0.05);
    expect(referenced.error).toBe(own.error);
    // The reference learner and its scores are part of the state, and a state without one is refused.
    const env = makeEnvironment('InjectedAnomalies-v0');
    const copy = new PredictiveAgent(env.observationSpace, { seed: 2, anomaly: { reference: true } });
    copy.setState(referenced.state);
    expect(copy.getState()).toEqual(referenced.state);
    expect(thrown(() => copy.setState(own.state))).toBeInstanceOf(CheckpointError);
    copy.dispose();
  });

  it("with the state's novelty, flags events the errors miss, predicting exactly as before", () => {
    const own = plainRun();
    const stated = injectedRun({ anomaly: { state: true } });
    // Measured (seed 2, 6,000 steps scored): AUC 0.846 → 0.880, AP 0.708 → 0.744.
    expect(stated.auc).toBeGreaterThan(own.auc + 0.02);
    expect(stated.ap).toBeGreaterThan(own.ap + 0.02);
    expect(stated.error).toBe(own.error);
    // The novelty's fit is part of the state, and a state without it is refused.
    const env = makeEnvironment('InjectedAnomalies-v0');
    const copy = new PredictiveAgent(env.observationSpace, { seed: 2, anomaly: { state: true } });
    copy.setState(stated.state);
    expect(copy.getState()).toEqual(stated.state);
    expect(thrown(() => copy.setState(own.state))).toBeInstanceOf(CheckpointError);
    copy.dispose();
  });

  it('with protect, learns nothing from the inputs it flags', () => {
    const options: PredictiveAgentOptions = { seed: 2, anomaly: { warmup: 0, protect: 1e-12 } };
    // Every scored input reaches a threshold of 1e-12 once the history has one step: none is learned.
    const guarded = new PredictiveAgent(box(1, -1, 1), options);
    const free = new PredictiveAgent(box(1, -1, 1), { seed: 2 });
    const error = (a: PredictiveAgent): number => {
      const outcomes = observe(a, sine(1500));
      const late = outcomes.slice(-200).map((o) => o.scores['next/squaredError']!);
      return late.reduce((s, v) => s + v, 0) / late.length;
    };
    const [guardedError, freeError] = [error(guarded), error(free)];
    expect(freeError).toBeLessThan(0.05);
    expect(guardedError).toBeGreaterThan(10 * freeError);
    guarded.dispose();
    free.dispose();
  });

  it('lets the baselines skip an ignored target too', () => {
    const lstm = new LstmBackprop({ input: { kind: 'continuous', size: 1 }, units: 4, window: 3, seed: 1 });
    const before = lstm.readWeights();
    for (let i = 0; i < 10; i++) lstm.step(Float32Array.of(Math.sin(i)), undefined, [true]);
    expect(lstm.readWeights()).toEqual(before);
    lstm.step(Float32Array.of(1));
    lstm.step(Float32Array.of(0));
    expect(lstm.readWeights()).not.toEqual(before);
    lstm.dispose();
    const ngram = new Ngram({ input: { kind: 'categorical', size: 3 }, order: 1 });
    for (let i = 0; i < 20; i++) ngram.step(Float32Array.of(1, 0, 0), undefined, [true]);
    expect(Array.from(ngram.readPredictions()[0]!)).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    ngram.dispose();
  });

  it('saves and restores the scores exactly, and rejects a damaged anomaly state', () => {
    const a = new PredictiveAgent(discrete(4), { seed: 3, layers: [8] });
    const symbols = Array.from({ length: 400 }, (_, i) => (i * 7) % 4);
    const step = (agent: PredictiveAgent, i: number): Outcome =>
      agent.observe({
        step: i,
        episode: 0,
        observation: symbols[i]!,
        reward: 0,
        terminated: false,
        truncated: false,
        info: {},
        first: i === 0,
      });
    for (let i = 0; i < 300; i++) step(a, i);
    const state = a.getState();
    const b = new PredictiveAgent(discrete(4), { seed: 3, layers: [8] });
    b.setState(structuredClone(state));
    for (let i = 300; i < 400; i++) expect(step(b, i).anomaly).toEqual(step(a, i).anomaly);
    const data = state.data as { extra: { anomaly: [string, { mean: number[] }[]][] } };
    const damaged = structuredClone(state);
    (damaged.data as typeof data).extra.anomaly[0]![1][0]!.mean = [Number.NaN];
    expect(() => b.setState(damaged)).toThrow(CheckpointError);
    // A state saved before anomaly scores existed is taken; the scores start afresh.
    const older = structuredClone(state);
    delete (older.data as { extra: Record<string, unknown> }).extra.anomaly;
    expect(() => b.setState(older)).not.toThrow();
    a.dispose();
    b.dispose();
  });

  it('rejects bad anomaly options with typed errors', () => {
    const make = (anomaly: unknown) => () =>
      new PredictiveAgent(box(1, -1, 1), { anomaly: anomaly as PredictiveAgentOptions['anomaly'] });
    expect(make({ window: 0 })).toThrow(InvalidOptionError);
    expect(make({ protect: 0 })).toThrow(InvalidOptionError);
    expect(make({ tail: 'lower' })).toThrow(InvalidOptionError);
    expect(make({ span: 10 })).toThrow(InvalidOptionError);
    expect(make(3)).toThrow(InvalidOptionError);
    expect(make({ reference: { window: 4 } })).toThrow(InvalidOptionError);
    const baseline = () => new PredictiveAgent(box(1, -1, 1), { learner: 'lstm', anomaly: { reference: true } });
    expect(baseline).toThrow('expected option "anomaly.reference" only with learner \'tp\'');
    expect(make({ state: 'yes' })).toThrow(InvalidOptionError);
    const stateless = () => new PredictiveAgent(box(1, -1, 1), { learner: 'lstm', anomaly: { state: true } });
    expect(stateless).toThrow('expected option "anomaly.state" only with learner \'tp\'');
  });
});
