import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { BUILTIN_AGENT_KINDS } from '../../agents/index.js';
import { checkAgent } from '../../src/agent/check-agent.js';
import { createAgent, listAgents } from '../../src/agent/agent-registry.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { AgentError } from '../../src/errors.js';
import type { Agent } from '../../src/agent/agent.js';
import type { Space } from '../../src/environment/space.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

const STREAMS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['Reber-v0', {}],
  ['SineMixture-v0', { length: 50 }],
  ['TemporalOrder-v0', { length: 6 }],
  ['Adding-v0', { length: 6 }],
];

describe('checkAgent', () => {
  it('knows every built-in agent', () => {
    expect(listAgents().map((a) => a.kind)).toEqual([...BUILTIN_AGENT_KINDS].sort());
  });

  // The acting agent needs actions: it is checked on the environments that take them (below).
  for (const kind of BUILTIN_AGENT_KINDS.filter((k) => k !== 'acting')) {
    for (const engine of ['tfjs', 'fused'] as const) {
      // A supervised agent predicts side modalities only: it needs a stream that carries some.
      it.each(
        kind === 'supervised' ? STREAMS.filter(([id]) => id === 'TemporalOrder-v0' || id === 'Adding-v0') : STREAMS,
      )(`passes for the ${kind} agent on the ${engine} engine with %s`, (id, envOptions) => {
        const report = checkAgent(
          (space) =>
            createAgent({ kind, layers: [12], window: 6, seed: 3, engine, top: { trainAutoEncoder: true } }, space),
          () => makeEnvironment(id, envOptions),
          { steps: 120 },
        );
        expect(report.steps).toBe(120);
      });
    }
  }

  const ACTING: [string, Record<string, unknown>][] = [
    ['TenArmedTestbed-v0', {}],
    ['CartPole-v1', {}],
    ['KeyDoor-v0', { size: 3, length: 12 }],
    ['MnistBandit-v0', { length: 30 }],
  ];
  // Every acting environment on the fused engine (the default), both policies (the tfjs engine is
  // checked with the other agents above; the acting agent adds nothing engine-specific).
  const runs: [string, string, Record<string, unknown>, string[]][] = [
    ...ACTING.map(([id, o]): [string, string, Record<string, unknown>, string[]] => [
      'fused',
      id,
      o,
      ['evaluate', 'command'],
    ]),
  ];
  it.each(runs)('passes for the acting agent on the %s engine with %s', (engine, id, envOptions, policies) => {
    const env = makeEnvironment(id, envOptions);
    for (const policy of policies) {
      const options = { kind: 'acting', policy, layers: [8], window: 6, horizon: 3, seed: 3, engine };
      const report = checkAgent(
        (space) => createAgent(options, space, env.actionSpace),
        () => makeEnvironment(id, envOptions),
        { steps: 60 },
      );
      expect(report.steps).toBe(60);
    }
  });

  it('passes for the acting agent whose top replays past rows (its replay saved and restored)', () => {
    const env = makeEnvironment('CartPole-v1');
    const options = { kind: 'acting', layers: [8], window: 6, horizon: 3, seed: 3, top: { replay: 20, replayRows: 4 } };
    const report = checkAgent(
      (space) => createAgent(options, space, env.actionSpace),
      () => makeEnvironment('CartPole-v1'),
      { steps: 60 },
    );
    expect(report.steps).toBe(60);
  });

  it('passes for the acting agent that bootstraps its returns, with a decaying share of random actions', () => {
    const exploration = { epsilon: 1, finalEpsilon: 0.05, decaySteps: 30 };
    for (const bootstrap of ['max', 'policy']) {
      // KeyDoor's 12 steps: episodes end within the check, by a time limit (bootstrapped) or at the door.
      const options = { kind: 'acting', layers: [8], window: 6, horizon: 2, seed: 3, bootstrap, exploration };
      const report = checkAgent(
        (space) => createAgent(options, space, makeEnvironment('KeyDoor-v0').actionSpace),
        () => makeEnvironment('KeyDoor-v0', { size: 3, length: 12 }),
        { steps: 60 },
      );
      expect(report.steps).toBe(60);
    }
  });

  it('catches an acting agent whose actions depend on more than its seed', () => {
    let calls = 0;
    const env = makeEnvironment('TenArmedTestbed-v0');
    const make = (space: Space): Agent => {
      const inner = createAgent({ kind: 'acting', layers: [8], seed: 1 }, space, env.actionSpace);
      const n = calls++;
      // The same agent, but every copy answers its own action.
      return new Proxy(inner, {
        get(target, key) {
          if (key === 'act') return () => (target.act!() === -1 ? -1 : n % 10);
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    expect(() => checkAgent(make, () => makeEnvironment('TenArmedTestbed-v0'), { steps: 20 })).toThrow(/act alike/);
  });

  it('refuses a supervised agent on a stream with nothing to predict', () => {
    expect(() => createAgent('supervised', makeEnvironment('Reber-v0').observationSpace)).toThrow(
      /expected something to predict/,
    );
  });

  it('catches an agent whose predictions depend on more than its seed', () => {
    let calls = 0;
    const make = (space: Parameters<typeof createAgent>[1]): Agent => {
      const agent = createAgent({ kind: 'predictive', layers: [8], seed: calls++ }, space);
      return agent;
    };
    expect(() => checkAgent(make, () => makeEnvironment('Reber-v0'), { steps: 30 })).toThrow(AgentError);
  });

  it('catches an agent that leaks tensors', () => {
    let count = 0;
    const leaky = (space: Parameters<typeof createAgent>[1]): Agent => {
      const agent = createAgent({ kind: 'predictive', layers: [8], seed: 1, engine: 'tfjs' }, space);
      const observe = agent.observe.bind(agent);
      agent.observe = (t) => {
        count++;
        return observe(t);
      };
      return agent;
    };
    expect(() => checkAgent(leaky, () => makeEnvironment('Reber-v0'), { steps: 30, liveTensors: () => count })).toThrow(
      /flat tensor count/,
    );
  });
});
