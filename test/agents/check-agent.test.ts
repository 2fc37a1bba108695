import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { BUILTIN_AGENT_KINDS } from '../../agents/index.js';
import { checkAgent } from '../../src/agent/check-agent.js';
import { createAgent, listAgents } from '../../src/agent/agent-registry.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { AgentError } from '../../src/errors.js';
import type { Agent } from '../../src/agent/agent.js';
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

  // The acting agent needs actions; test/agents/acting-agent.test.ts checks it on acting environments.
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
