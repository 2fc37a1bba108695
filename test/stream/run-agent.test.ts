// Specification of runAgent: a whole run as one Observable that owns, and frees, what it makes.

import { describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { NonFiniteError, TpropError } from '../../src/errors.js';
import { discrete } from '../../src/environment/space.js';
import { runAgent } from '../../src/stream/run-agent.js';
import { FakeAgent } from './helpers/fake-agent.js';
import type { FakeAgentOptions } from './helpers/fake-agent.js';
import { FakeEnvironment } from './helpers/fake-environment.js';
import type { FakeEnvironmentOptions } from './helpers/fake-environment.js';
import { sleep } from './helpers/marbles.js';

/** Factories that remember what they made. */
function factories(agentOptions: FakeAgentOptions = {}, envOptions: FakeEnvironmentOptions = {}) {
  const agents: FakeAgent[] = [];
  const envs: FakeEnvironment[] = [];
  return {
    agents,
    envs,
    agent: () => {
      const agent = new FakeAgent(agentOptions);
      agents.push(agent);
      return agent;
    },
    environment: () => {
      const env = new FakeEnvironment(envOptions);
      envs.push(env);
      return env;
    },
  };
}

describe('runAgent', () => {
  it('learns from every transition of the run and completes', async () => {
    const agent = new FakeAgent();
    const events = await lastValueFrom(
      runAgent({ agent, environment: makeEnvironment('Periodic-v0'), seed: 2, steps: 300 }).pipe(toArray()),
    );
    expect(events).toHaveLength(300);
    expect(events.map((e) => e.transition.step)).toEqual([...Array(300).keys()]);
    expect(agent.observeCalls).toBe(300);
  });

  it('makes the agent and environment on subscribe, and disposes and closes them on completion', async () => {
    const f = factories();
    const run = runAgent({ agent: f.agent, environment: f.environment, steps: 10 });
    expect(f.agents).toHaveLength(0);
    await lastValueFrom(run);
    expect(f.agents.map((a) => [a.observeCalls, a.disposeCalls])).toEqual([[10, 1]]);
    expect(f.envs.map((e) => e.closeCalls)).toEqual([1]);
  });

  it('stops stepping and disposes a factory-made agent when unsubscribed mid-run', async () => {
    const f = factories({}, { episodeLength: 50 });
    const sub = runAgent({ agent: f.agent, environment: f.environment, yieldEvery: 8 }).subscribe();
    await sleep(5);
    sub.unsubscribe();
    const [agent] = f.agents;
    const observed = agent!.observeCalls;
    expect(observed).toBeGreaterThan(0);
    expect(agent!.disposeCalls).toBe(1);
    expect(f.envs[0]!.closeCalls).toBe(1);
    await sleep(10);
    expect(agent!.observeCalls).toBe(observed);
  });

  it('disposes a factory-made agent when the run errors', async () => {
    const f = factories({ failOn: (t) => t.step === 3 });
    await expect(lastValueFrom(runAgent({ agent: f.agent, environment: f.environment }))).rejects.toThrow(
      /marked failure/,
    );
    expect(f.agents[0]!.disposeCalls).toBe(1);
    expect(f.envs[0]!.closeCalls).toBe(1);
  });

  it('does not dispose agents nor close environments passed as instances', async () => {
    const agent = new FakeAgent();
    const env = new FakeEnvironment();
    await lastValueFrom(runAgent({ agent, environment: env, steps: 5 }));
    await firstValueFrom(runAgent({ agent, environment: env }).pipe(take(3)));
    const failing = new FakeEnvironment({ throwAt: 2 });
    await expect(lastValueFrom(runAgent({ agent, environment: failing }))).rejects.toMatchObject({
      code: 'ERR_ENVIRONMENT',
    });
    expect([agent.disposeCalls, env.closeCalls, failing.closeCalls]).toEqual([0, 0, 0]);
  });

  it('with onInvalid "skip", skips and counts a NaN observation and goes on', async () => {
    const f = factories({}, { nanAt: [2, 5] });
    const events = await lastValueFrom(
      runAgent({ agent: f.agent, environment: f.environment, steps: 8, onInvalid: 'skip' }).pipe(toArray()),
    );
    expect(events.map((e) => e.transition.step)).toEqual([0, 1, 3, 4, 6, 7]);
    expect(events.map((e) => e.skipped)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('with onInvalid "error" (the default), errors with the agent’s ERR_NON_FINITE', async () => {
    const f = factories({}, { nanAt: [2] });
    const run = lastValueFrom(runAgent({ agent: f.agent, environment: f.environment, steps: 8 }));
    await expect(run).rejects.toBeInstanceOf(NonFiniteError);
    await expect(run).rejects.toMatchObject({ code: 'ERR_NON_FINITE' });
    expect(f.agents[0]!.disposeCalls).toBe(1);
  });

  it('acts with agent.act() after observing, in an environment with actions', async () => {
    const agent = new FakeAgent({ actionSpace: discrete(3) });
    const env = new FakeEnvironment({ actionSpace: discrete(3), episodeLength: 100 });
    await lastValueFrom(runAgent({ agent, environment: env, steps: 6 }));
    expect(env.actions).toEqual([0, 1, 2, 0, 1]);
    expect(agent.actions).toEqual(env.actions);
  });

  it('errors the stream when an environment with actions gets an agent without act()', async () => {
    const agent = new FakeAgent();
    (agent as { act?: unknown }).act = undefined;
    const run = runAgent({ agent, environment: new FakeEnvironment({ actionSpace: discrete(2) }), steps: 3 });
    await expect(lastValueFrom(run)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it('rejects invalid options at the call, naming the option', () => {
    const base = { agent: new FakeAgent(), environment: new FakeEnvironment() };
    expect(() => runAgent({ ...base, steps: -1 })).toThrow(/"steps"/);
    expect(() => runAgent({ ...base, yieldEvery: 0 })).toThrow(/"yieldEvery"/);
    expect(() => runAgent({ ...base, onInvalid: 'drop' as never })).toThrow(/"onInvalid"/);
    expect(() => runAgent({ ...base, policy: () => 0 } as never)).toThrow(/"policy"/);
    expect(() => runAgent({ ...base, agent: 3 as never })).toThrow(/"agent"/);
    expect(() => runAgent(undefined as never)).toThrow(TpropError);
  });
});
