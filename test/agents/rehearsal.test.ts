// Rehearsal (agents/rehearsal.ts): replayed rows beside the live one. It learns more per live
// step on a held-out prequential window, scores and predicts the live row only, replays only
// the past, resumes exactly from a checkpoint, and refuses what it cannot serve.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent, type PredictiveAgentOptions } from '../../agents/predictive-agent.js';
import { Rehearsal } from '../../agents/rehearsal.js';
import { SupervisedAgent } from '../../agents/supervised-agent.js';
import type { Transition } from '../../src/agent/agent.js';
import { loadAgent, saveAgent } from '../../src/checkpoint/agent-checkpoint.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';

useEngine();
const dir = mkdtempSync(join(tmpdir(), 'tprop-rehearsal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return null;
};

/** Mean squared error of the next-input prediction over the last `last` of `steps` steps. */
function sineError(options: PredictiveAgentOptions, seed: number, steps: number, last: number): number {
  const env = makeEnvironment('SineMixture-v0');
  const agent = new PredictiveAgent(env.observationSpace, { layers: [64], seed, ...options });
  let sum = 0;
  let count = 0;
  for (const t of environmentTransitions(env, { seed, steps })) {
    const error = agent.observe(t).scores['next/squaredError'];
    if (t.step >= steps - last && error !== undefined) {
      sum += error;
      count++;
    }
  }
  agent.dispose();
  return sum / count;
}

describe('rehearsal', () => {
  it('learns more per live step: a lower prequential error on the last 1,250 of 5,000 steps, 3 seeds', () => {
    // docs/experiments.md, row 51: without 0.0014, 0.0015, 0.0013; with 0.0010, 0.0011, 0.0011.
    for (const seed of [1, 2, 3]) {
      const plain = sineError({}, seed, 5000, 1250);
      const rehearsed = sineError({ rehearse: true }, seed, 5000, 1250);
      expect(rehearsed, `seed ${seed}`).toBeLessThan(0.85 * plain);
    }
  }, 60_000);

  it.each(['tp', 'bptt', 'lstm'] as const)('scores and predicts the live row only (learner %s)', (learner) => {
    const env = makeEnvironment('Reber-v0');
    const options = { layers: [8], seed: 1, learner, rehearse: { streams: 2 } };
    const agent = new PredictiveAgent(env.observationSpace, options);
    const size = agent.predict()[0]!.values.length;
    for (const t of environmentTransitions(env, { seed: 1, steps: 50 })) {
      const outcome = agent.observe(t);
      for (const s of outcome.scored) expect(s.prediction.length).toBe(s.actual.length);
    }
    expect(agent.predict().map((p) => p.values.length)).toEqual([size]);
    expect(agent.metrics()['next/logLoss']).toBeGreaterThan(0);
    agent.dispose();
  });

  it('replays only steps older than the newest, each from a kept step, segments starting episodes', () => {
    const n = 3;
    const rehearsal = new Rehearsal({ streams: 4, segment: 5, memory: 20 }, n, 7);
    const x = new Float32Array(5 * n);
    for (let step = 0; step < 100; step++) {
      const live = Float32Array.from({ length: n }, (_, i) => step + i / 10);
      rehearsal.remember(live, 0, step % 17 === 0);
      x.set(live);
      const starting = rehearsal.fill(x);
      for (let r = 1; r <= 4; r++) {
        const value = x[r * n]!;
        if (step === 0) expect(value).toBe(0);
        else {
          expect(value).toBeLessThan(step);
          expect(value).toBeGreaterThanOrEqual(Math.max(0, step + 1 - 20));
        }
        expect(x[r * n + 2]!).toBeCloseTo(value + 0.2, 5);
      }
      if (step === 0) expect(starting).toEqual([1, 2, 3, 4]);
    }
  });

  it('resumes from a checkpoint exactly as the uninterrupted run goes on, and rejects a corrupt rehearsal', () => {
    const env = makeEnvironment('EmbeddedReber-v0');
    const stream: Transition[] = [...environmentTransitions(env, { seed: 2, steps: 400 })];
    const options = { layers: [12], seed: 3, rehearse: { streams: 2, segment: 7, memory: 150 } };
    const uninterrupted = new PredictiveAgent(env.observationSpace, options);
    const first = new PredictiveAgent(env.observationSpace, options);
    for (const t of stream.slice(0, 211)) {
      uninterrupted.observe(t);
      first.observe(t);
    }
    const path = join(dir, 'rehearsed.ckpt');
    saveAgent(first, path);
    const state = first.getState();
    first.dispose();
    const resumed = new PredictiveAgent(env.observationSpace, options);
    loadAgent(resumed, path);
    for (const t of stream.slice(211)) {
      const a = uninterrupted.observe(t).scores;
      const b = resumed.observe(t).scores;
      expect(b).toEqual(a);
    }
    expect(resumed.metrics()).toEqual(uninterrupted.metrics());
    const victim = new PredictiveAgent(env.observationSpace, options);
    const data = state.data as { stack: unknown; extra: Record<string, unknown> };
    const rehearsal = data.extra.rehearsal as Record<string, unknown>;
    const extra = { ...data.extra, rehearsal: { ...rehearsal, positions: [1] } };
    const bad = { ...state, data: { ...data, extra } };
    expect(thrown(() => victim.setState(bad))).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPT' });
    expect(victim.learner.steps).toBe(0);
    for (const a of [uninterrupted, resumed, victim]) a.dispose();
  });

  it('refuses what it cannot serve, with ERR_INVALID_OPTION', () => {
    const space = makeEnvironment('Reber-v0').observationSpace;
    const cases: [string, PredictiveAgentOptions][] = [
      ['one stream', { streams: 2, rehearse: true }],
      ['predicts its next input', { predictNext: false, rehearse: true }],
      ["'tp', 'bptt' or 'lstm'", { learner: 'ngram', rehearse: true }],
      ['a boolean or', { rehearse: 3 as unknown as boolean }],
      ['"streams" to be an integer >= 1', { rehearse: { streams: 0 } }],
      ['segment', { rehearse: { segment: 1.5 } }],
    ];
    for (const [message, options] of cases) {
      const error = thrown(() => new PredictiveAgent(space, options));
      expect(error, message).toMatchObject({ code: 'ERR_INVALID_OPTION' });
      expect((error as Error).message).toContain(message);
    }
    const labelled = makeEnvironment('TemporalOrder-v0').observationSpace;
    expect(thrown(() => new SupervisedAgent(labelled, { rehearse: true }))).toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
  });
});
