// A supervised agent saved between a step and its late label: the label still finds the step
// after loading (the recent predictions and the late-label counters are part of its state), so
// the resumed agent goes on exactly as the uninterrupted one.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { SupervisedAgent } from '../../agents/supervised-agent.js';
import type { Transition } from '../../src/agent/agent.js';
import { AGENT_CHECKPOINT_KIND, loadAgent, saveAgent } from '../../src/checkpoint/agent-checkpoint.js';
import { readCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();
const dir = mkdtempSync(join(tmpdir(), 'tprop-supervised-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { layers: [12], window: 6, seed: 4 };
const space = makeEnvironment('TemporalOrder-v0').observationSpace;

/** Temporal order with each label held back to the next transition's `info.lateSide`. */
function lateLabels(steps: number): Transition[] {
  const out: Transition[] = [];
  let pending: { step: number; values: { label: number } } | null = null;
  for (const t of environmentTransitions(makeEnvironment('TemporalOrder-v0'), { steps, seed: 3 })) {
    const { label, ...observation } = t.observation as { observation: number; label?: number };
    out.push({ ...t, observation, info: pending ? { ...t.info, lateSide: [pending] } : t.info });
    pending = label === undefined ? null : { step: t.step, values: { label } };
  }
  return out;
}

describe('SupervisedAgent#getState, #setState', () => {
  it('resumes between a step and its late label exactly', () => {
    const stream = lateLabels(200);
    const cut = stream.findIndex((t, i) => i > 100 && t.terminated) + 1;
    const whole = new SupervisedAgent(space, options);
    const first = new SupervisedAgent(space, options);
    for (const t of stream.slice(0, cut)) {
      whole.observe(t);
      first.observe(t);
    }
    const path = join(dir, 'supervised.ckpt');
    saveAgent(first, path);
    first.dispose();
    const resumed = new SupervisedAgent(space, options);
    loadAgent(resumed, path);
    for (const t of stream.slice(cut)) {
      whole.observe(t);
      resumed.observe(t);
    }
    expect(whole.late.attached).toBeGreaterThan(5);
    expect(resumed.metrics()).toEqual(whole.metrics());
    expect(resumed.predict()).toEqual(whole.predict());
    whole.dispose();
    resumed.dispose();
  });

  it('refuses a malformed late-label part, leaving the agent as it was', () => {
    const agent = new SupervisedAgent(space, options);
    for (const t of lateLabels(30)) agent.observe(t);
    const path = join(dir, 'good.ckpt');
    saveAgent(agent, path);
    // biome-ignore lint/suspicious/noExplicitAny: the state is edited freely, to break it.
    const state = readCheckpoint(path, { kind: AGENT_CHECKPOINT_KIND }) as { data: Record<string, any> };
    state.data.supervised.late.expired = -1;
    writeCheckpoint(path, state, { kind: AGENT_CHECKPOINT_KIND });
    const before = JSON.stringify(agent.metrics());
    expect(thrown(() => loadAgent(agent, path))).toMatchObject({
      code: 'ERR_CHECKPOINT_CORRUPT',
      message: expect.stringMatching(/expected data\.supervised\.late\.expired to be an integer >= 0, but got -1$/),
    });
    expect(JSON.stringify(agent.metrics())).toBe(before);
    agent.dispose();
  });
});
