// The README's "Metrics" table against the agents: what one score is, which steps are not scored,
// and what the rolling window counts, each checked on a seeded run against the predictions made.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { SupervisedAgent } from '../../agents/supervised-agent.js';
import type { Transition } from '../../src/agent/agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { box, dict, discrete } from '../../src/environment/space.js';
import { argMax, scoreCategorical } from '../../src/metrics/prequential-scores.js';
import { Rng } from '../../src/random.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';
import { code, readme, section, table } from './readme-tables.js';

useEngine();

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function transition(step: number, observation: Transition['observation'], first: boolean, info = {}): Transition {
  return { step, episode: 0, observation, reward: 0, terminated: false, truncated: false, info, first };
}

describe('README: Metrics', () => {
  it('lists every metric the agents keep', () => {
    const { header, rows } = table(section(readme(), '## Metrics'), 'metric');
    expect(header).toEqual(['metric', 'one score', 'unit', 'window', 'chance level', 'not scored']);
    const names = rows.flatMap((r) => [...r[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    // Every metric a run can produce: symbols with legalNext and critical, a label and a vector on time, late ones.
    const space = dict({ observation: discrete(4), label: discrete(3), value: box(2) }, ['label', 'value']);
    const kept = new Set<string>();
    const info = { legalNext: [0, 1, 2, 3], critical: true };
    for (const agent of [new PredictiveAgent(space, { layers: [4] }), new SupervisedAgent(space, { layers: [4] })]) {
      for (let step = 0; step < 5; step++) {
        const observation = { observation: step % 4, label: step % 3, value: Float32Array.of(step, 1) };
        agent.observe(transition(step, observation, step === 0, info));
      }
      if (agent instanceof SupervisedAgent) agent.label(3, { label: 1, value: [0, 0] });
      for (const name of Object.keys(agent.metrics())) kept.add(name.replace(/^(label|value)\//, 'KEY/'));
      agent.dispose();
    }
    const vector = new PredictiveAgent(box(2), { layers: [4] });
    for (let step = 0; step < 3; step++) vector.observe(transition(step, Float32Array.of(step, 0), step === 0));
    for (const name of Object.keys(vector.metrics())) kept.add(name);
    vector.dispose();
    expect([...kept].sort()).toEqual([...new Set(names)].sort());
    expect(code(rows[0]![0]!)).toBe('next/accuracy');
  });

  it('scores the next symbol against the prediction made a step before, except at an episode start', () => {
    const agent = new PredictiveAgent(makeEnvironment('EmbeddedReber-v0').observationSpace, {
      layers: [16],
      metricWindow: 5,
      seed: 1,
    });
    const critical: number[] = [];
    const all = { accuracy: [] as number[], legal: [] as number[] };
    let previous: Transition | null = null;
    let starts = 0;
    for (const t of environmentTransitions(makeEnvironment('EmbeddedReber-v0'), { steps: 600, seed: 2 })) {
      const p = agent.predict().find((m) => m.name === 'next')!.values;
      const { scores } = agent.observe(t);
      if (t.first) {
        // No prediction crosses an episode boundary.
        expect(Object.keys(scores)).toEqual([]);
        starts++;
      } else {
        const actual = t.observation as number;
        const legalNext = previous!.info.legalNext as number[];
        expect(scores['next/accuracy']).toBe(argMax(p) === actual ? 1 : 0);
        expect(scores['next/logLoss']).toBeCloseTo(-Math.log(Math.max(p[actual]!, 1e-7)), 5);
        expect(scores['next/legal']).toBe(legalNext.includes(argMax(p)) ? 1 : 0);
        expect(scores['next/critical']).toBe(previous!.info.critical ? scores['next/accuracy'] : undefined);
        all.accuracy.push(scores['next/accuracy']!);
        all.legal.push(scores['next/legal']!);
        if (previous!.info.critical) critical.push(scores['next/critical']!);
      }
      previous = t;
    }
    expect(starts).toBeGreaterThan(20);
    expect(critical.length).toBeGreaterThan(20);
    // Rolling means over the last metricWindow scores of each metric; totals since the start.
    const m = agent.metrics();
    expect(m['next/critical']).toBeCloseTo(mean(critical.slice(-5)), 12);
    expect(m['next/accuracy']).toBeCloseTo(mean(all.accuracy.slice(-5)), 12);
    expect(agent.totals()['next/legal']).toBeCloseTo(mean(all.legal), 12);
    agent.dispose();
  });

  it('floors the probability of logLoss at 1e-7', () => {
    expect(scoreCategorical([1, 0], 1).logLoss).toBeCloseTo(-Math.log(1e-7), 12);
    expect(-Math.log(1e-7)).toBeCloseTo(16.118, 3);
  });

  it('sums next/squaredError over the dimensions of the input', () => {
    const agent = new PredictiveAgent(box(3), { layers: [8], seed: 1 });
    const rng = new Rng(4);
    for (let step = 0; step < 50; step++) {
      const x = Float32Array.from({ length: 3 }, () => rng.normal());
      const p = agent.predict()[0]!.values;
      const { scores } = agent.observe(transition(step, x, step === 0));
      if (step === 0) expect(scores['next/squaredError']).toBeUndefined();
      else
        expect(scores['next/squaredError']).toBeCloseTo(
          p.reduce((s, v, i) => s + (v - x[i]!) ** 2, 0),
          5,
        );
    }
    agent.dispose();
  });

  it('scores a side modality only where it comes, against the prediction made at its own step before learning', () => {
    const space = dict({ observation: discrete(4), label: discrete(3) }, ['label']);
    const make = (): PredictiveAgent => new PredictiveAgent(space, { layers: [8], predictNext: false, seed: 5 });
    const agent = make();
    const twin = make(); // sees the same steps, but never the labels
    const rng = new Rng(6);
    let labelled = 0;
    for (let step = 0; step < 200; step++) {
      const symbol = rng.int(4);
      const present = step % 5 === 4;
      const t = transition(step, present ? { observation: symbol, label: symbol % 3 } : { observation: symbol }, !step);
      const outcome = agent.observe(t);
      twin.observe({ ...t, observation: { observation: symbol } });
      if (!present) {
        expect(outcome.scores).toEqual({});
        continue;
      }
      labelled++;
      const scored = outcome.scored.find((s) => s.name === 'label')!.prediction;
      // Learning from this label came after its prediction: the twin, which did not learn it, predicted the same.
      expect(Array.from(scored)).toEqual(Array.from(twin.predict()[0]!.values));
      expect(outcome.scores['label/accuracy']).toBe(argMax(scored) === symbol % 3 ? 1 : 0);
      twin.setState(agent.getState());
    }
    expect(labelled).toBe(40);
    agent.dispose();
    twin.dispose();
  });

  it('scores a late label against the prediction made at its step, and counts the expired ones unscored', () => {
    const space = dict({ observation: discrete(4), label: discrete(3) }, ['label']);
    const agent = new SupervisedAgent(space, { layers: [8], window: 8, seed: 7 });
    const predictions: Float32Array[] = [];
    for (let step = 0; step < 30; step++) {
      agent.observe(transition(step, { observation: step % 4 }, step === 0));
      predictions.push(agent.predict()[0]!.values);
    }
    const scores: Record<string, number> = {};
    expect(agent.label(27, { label: 2 }, scores)).toBe(true);
    expect(scores['label/lateAccuracy']).toBe(argMax(predictions[27]!) === 2 ? 1 : 0);
    expect(agent.label(3, { label: 1 }, scores)).toBe(false); // its step left the window of 8
    expect(agent.metrics()).toMatchObject({ 'late/attached': 1, 'late/expired': 1 });
    expect(agent.totals()['label/lateAccuracy']).toBe(scores['label/lateAccuracy']);
    agent.dispose();
  });
});
