// Saving a whole run and resuming it: the agent's state, the environment's id and options, the
// environment's own state where it can give one (else what replays it: the seed of its first
// reset and the actions taken), and the run's position (step and episode counts, the last
// transition mid-episode). A resumed LiveRun then goes on exactly as the uninterrupted one.

import type { Agent, AgentState } from '../agent/agent.js';
import { type Environment, type EnvironmentState, canGiveState, wholeState } from '../environment/environment.js';
import type { SpaceValue } from '../environment/space.js';
import { CheckpointError, describeValue } from '../errors.js';
import { transitionLoop } from '../stream/environment-transitions.js';
import type { LiveRun, LiveRunPosition } from '../stream/live-run.js';
import type { Transition } from '../agent/agent.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import { corruptState, stateArray, stateBoolean, stateInteger, stateRecord } from './state-checks.js';

export const RUN_CHECKPOINT_KIND = 'tprop-run';
export const RUN_STATE_VERSION = 1;

/** What a run's environment was: its registered id and options (from its spec), null when it has no spec. */
export interface RunEnvironment {
  readonly id: string | null;
  readonly options: Record<string, unknown> | null;
}

/** A whole run as plain data: what `saveRun` writes and `restoreRun` takes. */
export interface RunState {
  readonly version: number;
  readonly agent: AgentState;
  readonly environment: RunEnvironment;
  /** The environment's whole state, or null when it cannot give one: the run is then replayed. */
  readonly environmentState: EnvironmentState | null;
  readonly position: LiveRunPosition;
}

/** The id and options an environment was made with, in a form that compares exactly. */
export function runEnvironmentOf(env: Environment): RunEnvironment {
  const spec = env.spec;
  if (spec === undefined) return { id: null, options: null };
  return { id: spec.id, options: JSON.parse(JSON.stringify(spec.options ?? {})) as Record<string, unknown> };
}

/** The state of `run` now (between steps: after `done`, or while paused). */
export function runState(run: LiveRun): RunState {
  return {
    version: RUN_STATE_VERSION,
    agent: run.agent.getState(),
    environment: runEnvironmentOf(run.environment),
    environmentState: wholeState(run.environment) ?? null,
    position: run.position(),
  };
}

/** Saves the whole of `run` at `path`, atomically (see `writeCheckpoint`); read it back with `loadRun`. */
export function saveRun(run: LiveRun, path: string): void {
  writeCheckpoint(path, runState(run), { kind: RUN_CHECKPOINT_KIND });
}

/** Reads a run checkpoint, checking its outer form (the agent's and environment's parts are checked on restore). */
export function readRun(path: string): RunState {
  return checkRunState(readCheckpoint(path, { kind: RUN_CHECKPOINT_KIND }), 'readRun');
}

/**
 * Restores the run saved at `path` into `agent` and `environment`, made as the saved ones were
 * (same kind and options; the same environment id and options), and returns the position to
 * give `new LiveRun(agent, environment, { resume })`. See `restoreRun`.
 */
export function loadRun(path: string, agent: Agent, environment: Environment): LiveRunPosition {
  return restoreRun(readRun(path), agent, environment);
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) => {
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    return v;
  });

const describeEnvironment = (e: RunEnvironment): string =>
  e.id === null ? 'an environment without a spec' : `${e.id} with options ${canonical(e.options)}`;

/**
 * Restores `state` into `agent` and `environment`: checks that the environment is the saved one
 * (its id and options; another is ERR_CHECKPOINT_MISMATCH), restores the agent (its `setState`
 * checks all of it first), then the environment: `setState` with its saved state, or, for one
 * that cannot give its state, a replay of the saved run's steps from its first seeded reset with
 * the same actions (null for an environment without actions), checked to arrive where the saved
 * run was. On any failure the agent is put back as it was; a replayed environment is left where
 * the replay stopped (make a new one). Returns the position to resume the LiveRun from.
 */
export function restoreRun(
  state: RunState,
  agent: Agent,
  environment: Environment,
  where = 'restoreRun',
): LiveRunPosition {
  const saved = checkRunState(state, where);
  const here = runEnvironmentOf(environment);
  if (canonical(here) !== canonical(saved.environment)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected a run of ${describeEnvironment(here)}, but the checkpoint holds a run of ` +
        `${describeEnvironment(saved.environment)}`,
    );
  }
  const { position } = saved;
  if (saved.environmentState !== null && !canGiveState(environment)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected an environment that can restore the saved environment state, but this one has no ` +
        `getState/setState`,
    );
  }
  if (saved.environmentState === null && environment.actionSpace !== null && position.actions === null) {
    corruptState(where, 'position.actions', 'the actions to replay an environment that acts', null);
  }
  const before = agent.getState();
  agent.setState(saved.agent);
  try {
    if (saved.environmentState !== null) environment.setState!(saved.environmentState);
    else replay(environment, position, where);
  } catch (error) {
    agent.setState(before);
    throw error;
  }
  return position;
}

/** Steps a fresh `env` through the saved run again, and checks it arrives where that run was. */
function replay(env: Environment, position: LiveRunPosition, where: string): void {
  if (position.step === 0) return;
  const actions = position.actions ?? [];
  let next = 0;
  const policy =
    env.actionSpace === null
      ? undefined
      : (): SpaceValue => {
          if (next >= actions.length) corruptState(where, 'position.actions', `at least ${next + 1} actions`, actions);
          return actions[next++]!;
        };
  let last: Transition | undefined;
  const loop = transitionLoop(env, {
    seed: position.seed ?? undefined,
    steps: position.step,
    episodes: Infinity,
    policy,
    resume: undefined,
  });
  for (const transition of loop) last = transition;
  const ended = last!.terminated || last!.truncated;
  const episode = last!.episode + (ended ? 1 : 0);
  const arrived =
    episode === position.episode &&
    (position.last === null ? ended : !ended && canonical(last!.observation) === canonical(position.last.observation));
  if (!arrived || next !== actions.length) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected replaying the ${position.step} steps of the saved run from its first reset ` +
        `(seed ${position.seed ?? 'none'}) to arrive where it was saved, but it did not: the environment does not ` +
        `give the same steps for the same seed and actions (give it getState/setState to resume exactly)`,
    );
  }
}

/**
 * Checks the outer form of a run state (CheckpointError naming the part); the agent's and the
 * environment's parts are left to their own `setState`.
 */
export function checkRunState(state: unknown, where: string): RunState {
  const record = stateRecord(where, 'the run', state, [
    'version',
    'agent',
    'environment',
    'environmentState',
    'position',
  ]);
  if (record.version !== RUN_STATE_VERSION) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_VERSION',
      `${where}: expected run state version ${RUN_STATE_VERSION}, but got ${describeValue(record.version)}`,
    );
  }
  const environment = stateRecord(where, 'environment', record.environment, ['id', 'options']);
  if (environment.id !== null && typeof environment.id !== 'string')
    corruptState(where, 'environment.id', 'a string or null', environment.id);
  if (environment.options !== null) stateRecord(where, 'environment.options', environment.options);
  stateRecord(where, 'agent', record.agent);
  return {
    version: RUN_STATE_VERSION,
    agent: record.agent as AgentState,
    environment: environment as unknown as RunEnvironment,
    environmentState: record.environmentState ?? null,
    position: checkPosition(record.position, where),
  };
}

function checkPosition(value: unknown, where: string): LiveRunPosition {
  const p = stateRecord(where, 'position', value, ['step', 'episode', 'last', 'seed', 'skipped', 'actions']);
  const step = stateInteger(where, 'position.step', p.step);
  const episode = stateInteger(where, 'position.episode', p.episode, 0, step);
  const seed = p.seed === null ? null : stateInteger(where, 'position.seed', p.seed, Number.MIN_SAFE_INTEGER);
  const skipped = stateInteger(where, 'position.skipped', p.skipped, 0, step);
  const actions = p.actions === null ? null : stateArray(where, 'position.actions', p.actions);
  let last: Transition | null = null;
  if (p.last !== null) {
    const t = stateRecord(where, 'position.last', p.last, [
      'step',
      'episode',
      'observation',
      'terminated',
      'truncated',
    ]);
    stateInteger(where, 'position.last.step', t.step, step - 1, step - 1);
    stateInteger(where, 'position.last.episode', t.episode, episode, episode);
    if (
      stateBoolean(where, 'position.last.terminated', t.terminated) ||
      stateBoolean(where, 'position.last.truncated', t.truncated)
    )
      corruptState(where, 'position.last', 'a transition whose episode goes on', 'an ended one');
    last = t as unknown as Transition;
  }
  return { step, episode, last, seed, skipped, actions: actions as SpaceValue[] | null };
}
