// The plain loop the benches drive agents with: an environment's transitions, observed one by
// one, with an optional transform of each observation (to hide a label at test time).

import type { Agent, Transition } from '../../src/agent/agent.js';
import type { Environment } from '../../src/environment/environment.js';
import type { SpaceValue } from '../../src/environment/space.js';

export interface LoopOptions {
  readonly steps?: number;
  readonly episodes?: number;
  /** Called after each observed transition; return false to stop. */
  readonly onStep?: (transition: Transition, agent: Agent) => unknown;
  /** Changes what the agent sees (the transition passed to onStep is the original). */
  readonly view?: (observation: SpaceValue) => SpaceValue;
  readonly seed?: number;
}

/** Runs `agent` on `env` until `steps` transitions or `episodes` episodes; returns the steps taken. */
export function runLoop(agent: Agent, env: Environment, options: LoopOptions): number {
  let step = 0;
  let episode = 0;
  let result: {
    observation: SpaceValue;
    reward: number;
    terminated: boolean;
    truncated: boolean;
    info: Record<string, unknown>;
  } = {
    ...env.reset(options.seed === undefined ? undefined : { seed: options.seed }),
    reward: 0,
    terminated: false,
    truncated: false,
  };
  let first = true;
  for (;;) {
    const transition: Transition = {
      step,
      episode,
      observation: result.observation,
      reward: result.reward,
      terminated: result.terminated,
      truncated: result.truncated,
      info: result.info,
      first,
    };
    agent.observe(options.view ? { ...transition, observation: options.view(transition.observation) } : transition);
    step++;
    if (options.onStep?.(transition, agent) === false) return step;
    if (options.steps !== undefined && step >= options.steps) return step;
    if (transition.terminated || transition.truncated) {
      episode++;
      if (options.episodes !== undefined && episode >= options.episodes) return step;
      result = { ...env.reset(), reward: 0, terminated: false, truncated: false };
      first = true;
    } else {
      result = env.step();
      first = false;
    }
  }
}
