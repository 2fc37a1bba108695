// runAgent: an agent learning from an environment, as one cold Observable of StepEvents that
// owns what it creates: unsubscribing stops the run and frees the agent's tensors.

import { Observable } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { Agent } from '../agent/agent.js';
import type { Environment } from '../environment/environment.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys } from '../options.js';
import { transitionLoopOptions } from './environment-transitions.js';
import { chunkOptions, fromEnvironment } from './from-environment.js';
import type { EnvironmentSource } from './from-environment.js';
import { learn, learnOptions } from './learn.js';
import type { LearnOptions, StepEvent } from './learn.js';

/** An agent, or a factory called once per subscription (that agent is then disposed by the run). */
export type AgentSource = Agent | (() => Agent);

export interface RunAgentOptions extends LearnOptions {
  readonly agent: AgentSource;
  readonly environment: EnvironmentSource;
  /** Seed of the first reset. Default: none (the environment's default). */
  readonly seed?: number;
  /** Stop after this many transitions. Default: no limit. */
  readonly steps?: number;
  /** Stop after this many finished episodes. Default: no limit. */
  readonly episodes?: number;
  /** Transitions per turn of the event loop. Default 64. */
  readonly yieldEvery?: number;
  /** Where the chunks run. Default `immediateScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const KEYS = ['agent', 'environment', 'seed', 'steps', 'episodes', 'yieldEvery', 'scheduler', 'onInvalid', 'onSkip'];

/** Throws unless `agent` and `env` are an agent and an environment that can work together. */
export function assertPairing(where: string, agent: Agent, env: Environment): void {
  if (typeof agent !== 'object' || agent === null || typeof agent.observe !== 'function') {
    throw new InvalidOptionError(`${where}: expected an agent, but got ${describeValue(agent)}`);
  }
  if (typeof env !== 'object' || env === null || typeof env.reset !== 'function' || typeof env.step !== 'function') {
    throw new InvalidOptionError(`${where}: expected an environment, but got ${describeValue(env)}`);
  }
  if (env.actionSpace !== null && typeof agent.act !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected an agent with act() for an environment with an action space, but agent "${agent.kind}" ` +
        `has none`,
    );
  }
}

/**
 * On subscribe, makes whatever is given as a factory, then runs `fromEnvironment` through
 * `learn`. For an environment with actions the policy is `agent.act()`, asked after the agent
 * has observed the transition the action follows. On completion, error or unsubscribe it
 * disposes the agent and closes the environment it made; instances passed in are left alone.
 */
export function runAgent(options: RunAgentOptions): Observable<StepEvent> {
  const where = 'runAgent';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${where}: expected an options object, but got ${describeValue(options)}`);
  }
  const { agent: agentSource, environment: environmentSource } = options;
  const { seed, steps, episodes } = options;
  checkKeys(where, options, KEYS);
  transitionLoopOptions(where, { seed, steps, episodes });
  const { yieldEvery, scheduler } = chunkOptions(where, options);
  const { onInvalid, onSkip } = learnOptions(where, { onInvalid: options.onInvalid, onSkip: options.onSkip });
  if (typeof agentSource !== 'function' && (typeof agentSource !== 'object' || agentSource === null)) {
    throw new InvalidOptionError(
      `${where}: expected option "agent" to be an agent or a factory of one, but got ${describeValue(agentSource)}`,
    );
  }
  if (
    typeof environmentSource !== 'function' &&
    (typeof environmentSource !== 'object' || environmentSource === null)
  ) {
    throw new InvalidOptionError(
      `${where}: expected option "environment" to be an environment or a factory of one, but got ` +
        `${describeValue(environmentSource)}`,
    );
  }

  return new Observable<StepEvent>((subscriber) => {
    let agent: Agent | undefined;
    let env: Environment | undefined;
    const ownsAgent = typeof agentSource === 'function';
    const ownsEnv = typeof environmentSource === 'function';
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      try {
        if (ownsAgent) agent?.dispose();
      } finally {
        if (ownsEnv) env?.close?.();
      }
    };

    try {
      agent = ownsAgent ? (agentSource as () => Agent)() : (agentSource as Agent);
      env = ownsEnv ? (environmentSource as () => Environment)() : (environmentSource as Environment);
      assertPairing(where, agent, env);
    } catch (error) {
      try {
        release();
      } catch {
        /* the failure to start is the error to report */
      }
      subscriber.error(error);
      return;
    }

    const actor = agent;
    const policy = env.actionSpace === null ? undefined : () => actor.act!();
    const run = fromEnvironment(env, { seed, steps, episodes, policy, yieldEvery, scheduler })
      .pipe(learn(actor, { onInvalid, onSkip }))
      .subscribe({
        next: (event) => subscriber.next(event),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });

    return () => {
      // Stop stepping first, so nothing touches the agent while it is being disposed.
      run.unsubscribe();
      release();
    };
  });
}
