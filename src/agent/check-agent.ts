// A conformance check run over every agent, after River's estimator checks: the same seed gives
// the same predictions; the tensor count stays flat and returns to where it was on dispose; a
// snapshot survives a msgpack round trip; a bad observation is a typed error that changes
// nothing; a saved state restored into a fresh agent continues identically; a disposed agent
// refuses to work. An agent that acts must also act alike from the same seed, inside the action
// space, and alike again once restored, and refuse act() once disposed. It throws an AgentError
// naming the failed check.

import { Packr } from 'msgpackr';
import type { Agent, Transition } from './agent.js';
import type { Environment } from '../environment/environment.js';
import { AgentError, TpropError } from '../errors.js';
import { tfjsEngine } from '../math/index.js';
import type { Space, SpaceValue } from '../environment/space.js';
import { assertInSpace, flatSize } from '../environment/space.js';
import { Rng } from '../random.js';

export interface CheckAgentOptions {
  readonly steps?: number;
  readonly seed?: number;
  /** Live tensors now; default tfjs's count. */
  readonly liveTensors?: () => number;
}

const packr = new Packr({ moreTypes: true, useRecords: false });

function fail(check: string, detail: string): never {
  throw new AgentError(`checkAgent: expected ${check}, but ${detail}`);
}

/** A stream of transitions from a seeded environment, as an array (so two agents see the same). */
function transitionsOf(env: Environment, steps: number, seed: number): Transition[] {
  const out: Transition[] = [];
  // An environment with actions is stepped with seeded uniform ones (an acting agent's own
  // choices are checked beside the stream, not fed to it: two agents must see the same stream).
  const actions = new Rng(seed + 7);
  const space = env.actionSpace;
  let r: {
    observation: SpaceValue;
    reward: number;
    terminated: boolean;
    truncated: boolean;
    info: Record<string, unknown>;
  } = { ...env.reset({ seed }), reward: 0, terminated: false, truncated: false };
  let first = true;
  let episode = 0;
  for (let step = 0; step < steps; step++) {
    const t: Transition = {
      step,
      episode,
      observation: r.observation,
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
      first,
    };
    out.push(t);
    if (t.terminated || t.truncated) {
      episode++;
      r = { ...env.reset(), reward: 0, terminated: false, truncated: false };
      first = true;
    } else {
      r = space?.kind === 'discrete' ? env.step(actions.int(space.n)) : env.step();
      first = false;
    }
  }
  return out;
}

/** An observation the agent must refuse: NaN in a vector, an index out of range. */
function corrupted(space: Space, value: SpaceValue): SpaceValue {
  switch (space.kind) {
    case 'box':
      return new Float32Array(flatSize(space)).fill(NaN);
    case 'discrete':
      return space.n;
    case 'dict': {
      const [key, sub] = Object.entries(space.spaces).find(([k]) => !space.optional.includes(k))!;
      return {
        ...(value as Record<string, SpaceValue>),
        [key]: corrupted(sub, (value as Record<string, SpaceValue>)[key]!),
      };
    }
  }
}

const predictionsOf = (agent: Agent): number[][] => agent.predict().map((p) => Array.from(p.values));

export function checkAgent(
  make: (space: Space) => Agent,
  makeEnvironment: () => Environment,
  options: CheckAgentOptions = {},
): { steps: number } {
  const steps = options.steps ?? 200;
  const seed = options.seed ?? 0;
  const live = options.liveTensors ?? (() => tfjsEngine.live());
  const env = makeEnvironment();
  const stream = transitionsOf(env, steps, seed);
  const before = live();
  const a = make(env.observationSpace);
  const b = make(env.observationSpace);
  const half = Math.floor(steps / 2);
  let warm = -1;
  stream.forEach((t, i) => {
    a.observe(t);
    b.observe(t);
    if (JSON.stringify(predictionsOf(a)) !== JSON.stringify(predictionsOf(b)))
      fail('two agents made alike to predict alike on the same stream', `they differ at step ${i}`);
    actAlike(env, t, [a, b], 'two agents made alike to act alike on the same stream');
    if (i === half) warm = live();
  });
  if (warm >= 0 && live() !== warm)
    fail('a flat tensor count over a run', `it went from ${warm} to ${live()} over ${steps - half - 1} steps`);

  const frame = a.snapshot();
  const decoded = packr.unpack(packr.pack(frame));
  if (JSON.stringify(decoded, replacer) !== JSON.stringify(frame, replacer))
    fail('a snapshot to survive a msgpack round trip', 'it changed');
  if (frame.layers.some((l) => !(l.code instanceof Float32Array)))
    fail('snapshot codes as Float32Arrays', 'got another type');

  const last = stream[stream.length - 1]!;
  const bad: Transition = {
    ...last,
    step: last.step + 1,
    first: false,
    terminated: false,
    truncated: false,
    observation: corrupted(env.observationSpace, last.observation),
  };
  const kept = JSON.stringify(predictionsOf(a));
  try {
    a.observe(bad);
    fail('a bad observation to be refused', 'observe accepted it');
  } catch (err) {
    if (err instanceof TpropError && err.code === 'ERR_AGENT') throw err;
    if (!(err instanceof TpropError) || !['ERR_NON_FINITE', 'ERR_SHAPE_MISMATCH'].includes(err.code))
      fail('a typed error for a bad observation', `got ${(err as Error)?.message}`);
  }
  if (JSON.stringify(predictionsOf(a)) !== kept)
    fail('a refused observation to change nothing', 'the predictions changed');

  const more = transitionsOf(makeEnvironment(), 20, seed + 1).map((t) => ({ ...t, step: t.step + steps }));
  let restored: Agent | null = null;
  try {
    const state = packr.unpack(packr.pack(a.getState()));
    restored = make(env.observationSpace);
    restored.setState(state);
  } catch (err) {
    if (!(err instanceof TpropError && err.code === 'ERR_INVALID_OPTION')) throw err;
    restored?.dispose();
    restored = null; // an agent that cannot be saved says so; the rest still applies
  }
  for (const t of more) {
    a.observe(t);
    b.observe(t);
    restored?.observe(t);
    if (JSON.stringify(predictionsOf(a)) !== JSON.stringify(predictionsOf(b)))
      fail('a refused observation to leave the agent as it was', `it then diverged from its twin at step ${t.step}`);
    if (restored && JSON.stringify(predictionsOf(restored)) !== JSON.stringify(predictionsOf(a)))
      fail('a restored state to continue exactly as the original', `they differ at step ${t.step}`);
    actAlike(env, t, restored ? [a, b, restored] : [a, b], 'a restored state to act exactly as the original');
  }
  restored?.dispose();

  a.dispose();
  b.dispose();
  const calls: (() => unknown)[] = [() => a.observe(last), () => a.predict(), () => a.snapshot()];
  if (a.act) calls.push(() => a.act!());
  for (const call of calls) {
    try {
      call();
      fail('a disposed agent to refuse work', 'a call succeeded');
    } catch (err) {
      if (!(err instanceof TpropError) || err.code !== 'ERR_DISPOSED')
        fail('ERR_DISPOSED from a disposed agent', `got ${(err as Error)?.message}`);
    }
  }
  if (live() !== before) fail('dispose to free every tensor', `${live() - before} remain`);
  env.close?.();
  return { steps };
}

function replacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value;
}

/**
 * For agents that act: after a transition that does not end its episode, every agent's act()
 * must give the same action, inside the environment's action space.
 */
function actAlike(env: Environment, t: Transition, agents: readonly Agent[], check: string): void {
  if (!agents[0]!.act || t.terminated || t.truncated) return;
  const actions = agents.map((x) => x.act!());
  if (env.actionSpace && !inSpace(env.actionSpace, actions[0]!))
    fail('actions inside the action space', `got ${JSON.stringify(actions[0])} at step ${t.step}`);
  if (actions.some((x) => JSON.stringify(x) !== JSON.stringify(actions[0])))
    fail(check, `they took ${actions.map((x) => JSON.stringify(x)).join(' and ')} at step ${t.step}`);
}

function inSpace(space: Space, value: SpaceValue): boolean {
  try {
    assertInSpace(space, value, 'checkAgent');
    return true;
  } catch {
    return false;
  }
}
