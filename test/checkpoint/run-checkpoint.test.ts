// saveRun / loadRun: a whole run in one checkpoint. A run saved part-way and resumed goes on
// exactly as the uninterrupted one, whether its environment gives its state or is replayed; a
// checkpoint of another environment (id or options) is refused, and the agent is left as it was.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { RUN_CHECKPOINT_KIND, loadRun, readRun, saveRun } from '../../src/checkpoint/run-checkpoint.js';
import type { Environment } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { CheckpointError } from '../../src/errors.js';
import { LiveRun } from '../../src/stream/live-run.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();
const dir = mkdtempSync(join(tmpdir(), 'tprop-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { layers: [12], window: 4, seed: 2, metricWindow: 40 };
const quiet = { frameIntervalMs: 1e9 };

/** A registered environment seen only through reset and step: it has no state to give. */
function stateless(id: string, envOptions: Record<string, unknown> = {}): Environment {
  const inner = makeEnvironment(id, envOptions);
  return {
    observationSpace: inner.observationSpace,
    actionSpace: null,
    spec: { id: `${id} (stateless)`, description: '', options: envOptions },
    reset: (o) => inner.reset(o),
    step: () => inner.step(),
  };
}

async function run(agent: PredictiveAgent, env: Environment, more: object): Promise<LiveRun> {
  const live = new LiveRun(agent, env, { ...quiet, ...more });
  live.start();
  await live.done;
  return live;
}

const weights = (agent: PredictiveAgent): Float32Array[] =>
  (agent.getState().data.stack as { parameters: Float32Array[] }).parameters;

describe('saveRun / loadRun', () => {
  it.each([
    ['gives its state', () => makeEnvironment('EmbeddedReber-v0')],
    ['is replayed', () => stateless('EmbeddedReber-v0')],
  ])('resumes a run whose environment %s exactly as the uninterrupted run goes on', async (_, make) => {
    const space = make().observationSpace;
    const whole = new PredictiveAgent(space, options);
    const wholeRun = await run(whole, make(), { seed: 7, steps: 400 });

    const first = new PredictiveAgent(space, options);
    const firstRun = await run(first, make(), { seed: 7, steps: 151 });
    const path = join(dir, `run-${_.replace(/\W/g, '-')}.ckpt`);
    saveRun(firstRun, path);
    first.dispose();

    const agent = new PredictiveAgent(space, options);
    const env = make();
    const resume = loadRun(path, agent, env);
    expect(resume.step).toBe(151);
    const rest = await run(agent, env, { resume, steps: 249 });
    expect(rest.state().step).toBe(400);
    expect(rest.position()).toEqual(wholeRun.position());
    expect(agent.metrics()).toEqual(whole.metrics());
    const [a, b] = [weights(whole), weights(agent)];
    let largest = 0;
    a.forEach((p, i) => p.forEach((v, j) => (largest = Math.max(largest, Math.abs(v - b[i]![j]!)))));
    expect(largest).toBeLessThanOrEqual(1e-6);
    whole.dispose();
    agent.dispose();
  });

  it('refuses a run of another environment id or options (ERR_CHECKPOINT_MISMATCH), the agent untouched', async () => {
    const space = makeEnvironment('Reber-v0').observationSpace;
    const first = new PredictiveAgent(space, options);
    const path = join(dir, 'reber.ckpt');
    saveRun(await run(first, makeEnvironment('Reber-v0'), { seed: 1, steps: 50 }), path);
    const agent = new PredictiveAgent(space, options);
    await run(agent, makeEnvironment('Reber-v0'), { seed: 3, steps: 20 });
    const before = JSON.stringify(weights(agent).map((w) => Array.from(w)));
    const error = thrown(() => loadRun(path, agent, makeEnvironment('EmbeddedReber-v0')));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('ERR_CHECKPOINT_MISMATCH');
    expect((error as Error).message).toBe(
      'restoreRun: expected a run of EmbeddedReber-v0 with options {}, but the checkpoint holds a run of Reber-v0 ' +
        'with options {}',
    );
    expect(JSON.stringify(weights(agent).map((w) => Array.from(w)))).toBe(before);

    const order = makeEnvironment('TemporalOrder-v0', { length: 12 });
    const labelled = new PredictiveAgent(order.observationSpace, options);
    const orderPath = join(dir, 'order.ckpt');
    saveRun(await run(labelled, order, { seed: 1, steps: 30 }), orderPath);
    expect(thrown(() => loadRun(orderPath, labelled, makeEnvironment('TemporalOrder-v0')))).toMatchObject({
      code: 'ERR_CHECKPOINT_MISMATCH',
      message: expect.stringContaining('TemporalOrder-v0 with options {"bits":1,"length":10}'),
    });
    [first, agent, labelled].forEach((a) => a.dispose());
  });

  it('refuses a replay that does not arrive where the run was saved, and puts the agent back', async () => {
    const space = makeEnvironment('Reber-v0').observationSpace;
    const first = new PredictiveAgent(space, options);
    const path = join(dir, 'replayed.ckpt');
    saveRun(await run(first, stateless('Reber-v0'), { seed: 1, steps: 64 }), path);
    const agent = new PredictiveAgent(space, options);
    const before = JSON.stringify(weights(agent).map((w) => Array.from(w)));
    // The same id, but it ignores the seed: replaying the saved steps goes elsewhere.
    const inner = makeEnvironment('Reber-v0');
    const drifting = { ...stateless('Reber-v0'), reset: () => inner.reset({ seed: 99 }), step: () => inner.step() };
    const error = thrown(() => loadRun(path, agent, drifting));
    expect(error).toMatchObject({ code: 'ERR_CHECKPOINT_MISMATCH' });
    expect((error as Error).message).toMatch(/^restoreRun: expected replaying the 64 steps of the saved run/);
    expect(JSON.stringify(weights(agent).map((w) => Array.from(w)))).toBe(before);
    [first, agent].forEach((a) => a.dispose());
  });

  it('refuses a malformed run with ERR_CHECKPOINT_CORRUPT naming the part', async () => {
    const space = makeEnvironment('Reber-v0').observationSpace;
    const first = new PredictiveAgent(space, options);
    const path = join(dir, 'whole.ckpt');
    saveRun(await run(first, makeEnvironment('Reber-v0'), { seed: 1, steps: 30 }), path);
    // biome-ignore lint/suspicious/noExplicitAny: the run is edited freely, to break it.
    const good = readRun(path) as unknown as Record<string, any>;
    const cases: [unknown, RegExp][] = [
      [{ ...good, position: { ...good.position, step: -1 } }, /expected position\.step to be an integer >= 0/],
      [{ ...good, position: { ...good.position, episode: 31 } }, /expected position\.episode to be an integer in/],
      [{ ...good, environment: 'Reber-v0' }, /expected environment to be an object with \[id, options\]/],
      [{ ...good, agent: [] }, /expected agent to be an object/],
    ];
    for (const [state, message] of cases) {
      const bad = join(dir, 'bad.ckpt');
      writeCheckpoint(bad, state, { kind: RUN_CHECKPOINT_KIND });
      const error = thrown(() => loadRun(bad, first, makeEnvironment('Reber-v0')));
      expect(error).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPT' });
      expect((error as Error).message).toMatch(message);
    }
    first.dispose();
  });
});
