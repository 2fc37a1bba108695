// An environment checker after Gymnasium's `check_env`: runs a few hundred seeded steps through
// fresh instances and throws an EnvironmentError naming the first contract the environment
// breaks (spaces, life cycle, results, determinism, `info.legalNext`, and, for an environment
// with getState/setState, that a fresh instance restored mid-run goes on exactly).

import { type Environment, type Info, canGiveState } from './environment.js';
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint/checkpoint-codec.js';
import { EnvironmentError, InvalidOptionError, StateError, TpropError, describeValue } from '../errors.js';
import { Rng } from '../random.js';
import { assertInSpace, sample } from './space.js';
import type { DiscreteSpace, Space, SpaceValue } from './space.js';

export interface CheckEnvironmentOptions {
  /** Steps per run (episodes restart with an unseeded reset). Default 300. */
  steps?: number;
  /** Seed of the first reset and of the sampled actions. Default 0. */
  seed?: number;
  /**
   * Require that some other seed (seed+1 .. seed+4) gives a different trajectory. Default true. Pass false for
   * a recorded data stream (a replay, a file read in order, any fixed sequence), which ignores the seed.
   */
  seedSensitive?: boolean;
}

export interface CheckEnvironmentReport {
  /** Steps taken per run. */
  readonly steps: number;
  /** Episodes that ended (terminated or truncated) within the first run. */
  readonly episodes: number;
}

function fail(message: string): never {
  throw new EnvironmentError(`checkEnvironment: ${message}`);
}

const describeError = (error: unknown): string =>
  error instanceof TpropError
    ? `${error.name} ${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : describeValue(error);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Fails unless `space` is a well-formed space; `path` names it in the message. */
function checkSpace(space: unknown, path: string): void {
  if (!isRecord(space)) fail(`expected ${path} to be a space, but got ${describeValue(space)}`);
  if (space.kind === 'box') {
    const shape = space.shape;
    const ok = Array.isArray(shape) && shape.length > 0 && shape.every((d) => Number.isInteger(d) && d > 0);
    if (!ok) fail(`expected ${path} to have a shape of positive integers, but got ${describeValue(shape)}`);
    if (typeof space.low !== 'number' || typeof space.high !== 'number' || !(space.low <= space.high)) {
      fail(
        `expected ${path} to have numbers low <= high, but got low ${String(space.low)}, high ${String(space.high)}`,
      );
    }
  } else if (space.kind === 'discrete') {
    if (!Number.isInteger(space.n) || (space.n as number) < 1)
      fail(`expected ${path}.n to be an integer >= 1, but got ${describeValue(space.n)}`);
  } else if (space.kind === 'dict') {
    const spaces = space.spaces;
    if (!isRecord(spaces) || Object.keys(spaces).length === 0)
      fail(`expected ${path} to hold at least one space, but got ${describeValue(spaces)}`);
    for (const [key, sub] of Object.entries(spaces)) checkSpace(sub, `${path}.${key}`);
    const optional = space.optional;
    if (!Array.isArray(optional) || optional.some((k) => typeof k !== 'string' || !(k in spaces))) {
      fail(
        `expected ${path}.optional to list some of its keys [${Object.keys(spaces).join(', ')}], but got ` +
          `${describeValue(optional)}`,
      );
    }
  } else {
    fail(`expected ${path}.kind to be box, discrete or dict, but got ${describeValue(space.kind)}`);
  }
}

/** The discrete space of the symbols `info.legalNext` refers to, if the observation has one. */
function symbolSpace(space: Space): DiscreteSpace | null {
  if (space.kind === 'discrete') return space;
  if (space.kind === 'dict' && space.spaces.observation?.kind === 'discrete') return space.spaces.observation;
  return null;
}

function symbolOf(observation: SpaceValue): number {
  return typeof observation === 'number'
    ? observation
    : ((observation as Record<string, SpaceValue>).observation as number);
}

/** A canonical text form of a value, so two trajectories compare exactly (NaN, -0, typed arrays). */
function canonical(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value))
    return `[${Array.from(value as ArrayLike<unknown>, canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'function') return '[function]';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function create(factory: () => Environment, what: string): Environment {
  let env: unknown;
  try {
    env = factory();
  } catch (error) {
    return fail(`expected the factory to build ${what}, but it threw ${describeError(error)}`);
  }
  if (!isRecord(env) || typeof env.reset !== 'function' || typeof env.step !== 'function') {
    return fail(`expected the factory to return an environment with reset() and step(), but got ${describeValue(env)}`);
  }
  return env as unknown as Environment;
}

function checkInfo(info: unknown, where: string): Info {
  if (!isRecord(info)) return fail(`expected ${where} to return an info object, but got ${describeValue(info)}`);
  return info;
}

interface Run {
  readonly trajectory: string[];
  readonly episodes: number;
}

/** Runs `steps` steps from `reset({seed})`, checking every result on the way. */
function run(env: Environment, seed: number, steps: number): Run {
  const actions = new Rng(seed);
  const action = (): SpaceValue | undefined =>
    env.actionSpace === null ? undefined : sample(env.actionSpace, actions);
  const symbols = symbolSpace(env.observationSpace);
  const trajectory: string[] = [];
  let episodes = 0;
  let legal: { list: number[]; where: string } | null = null;

  const observe = (observation: SpaceValue, info: Info, where: string): void => {
    try {
      assertInSpace(env.observationSpace, observation, where);
    } catch (error) {
      fail(`expected the observation of ${where} to be in the observation space, but got ${describeError(error)}`);
    }
    if (legal !== null && !legal.list.includes(symbolOf(observation))) {
      fail(
        `expected the symbol of ${where} to be in info.legalNext of ${legal.where} [${legal.list.join(', ')}], but ` +
          `got ${symbolOf(observation)}`,
      );
    }
    legal = null;
    if (info.legalNext === undefined) return;
    const list = info.legalNext;
    if (symbols === null) fail(`expected info.legalNext only with a discrete observation, but got it at ${where}`);
    if (!Array.isArray(list) || list.some((s) => !Number.isInteger(s) || s < 0 || s >= symbols.n)) {
      fail(
        `expected info.legalNext of ${where} to be an array of integers in [0, ${symbols.n}), but got ` +
          `${canonical(list)}`,
      );
    }
    legal = { list, where };
  };

  const reset = (options: { seed?: number } | undefined, where: string): void => {
    let result: unknown;
    try {
      result = env.reset(options);
    } catch (error) {
      fail(`expected ${where} to succeed, but it threw ${describeError(error)}`);
    }
    if (!isRecord(result)) fail(`expected ${where} to return { observation, info }, but got ${describeValue(result)}`);
    const info = checkInfo(result.info, where);
    observe(result.observation as SpaceValue, info, where);
    trajectory.push(`reset ${canonical(result.observation)} ${canonical(info)}`);
  };

  reset({ seed }, `reset({ seed: ${seed} })`);
  for (let i = 1; i <= steps; i++) {
    const where = `step ${i}`;
    let result: unknown;
    try {
      result = env.step(action());
    } catch (error) {
      fail(`expected ${where} to succeed, but it threw ${describeError(error)}`);
    }
    if (!isRecord(result)) return fail(`expected ${where} to return a step result, but got ${describeValue(result)}`);
    const { reward, terminated, truncated } = result;
    if (typeof reward !== 'number' || !Number.isFinite(reward))
      fail(`expected the reward of ${where} to be a finite number, but got ${describeValue(reward)}`);
    if (typeof terminated !== 'boolean')
      fail(`expected terminated of ${where} to be a boolean, but got ${describeValue(terminated)}`);
    if (typeof truncated !== 'boolean')
      fail(`expected truncated of ${where} to be a boolean, but got ${describeValue(truncated)}`);
    const info = checkInfo(result.info, where);
    observe(result.observation as SpaceValue, info, where);
    trajectory.push(
      `step ${canonical(result.observation)} ${String(reward)} ${String(terminated)} ${String(truncated)} ` +
        `${canonical(info)}`,
    );
    if (!terminated && !truncated) continue;
    episodes += 1;
    legal = null;
    try {
      env.step(action());
    } catch (error) {
      if (error instanceof StateError && error.code === 'ERR_EPISODE_ENDED') {
        reset(undefined, `reset() after ${where}`);
        continue;
      }
      fail(
        `expected step() after the episode ended at ${where} to throw StateError ERR_EPISODE_ENDED, but it threw ` +
          `${describeError(error)}`,
      );
    }
    fail(
      `expected step() after the episode ended at ${where} to throw StateError ERR_EPISODE_ENDED, but it returned a ` +
        `result`,
    );
  }
  return { trajectory, episodes };
}

/** The index of the first entry where two trajectories differ, or -1. */
function firstDifference(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** `steps` more calls from where `env` stands (a step, or a reset after an end); whether an episode then runs. */
function goOn(
  env: Environment,
  actions: Rng,
  steps: number,
  running: boolean,
): { trajectory: string[]; running: boolean } {
  const trajectory: string[] = [];
  for (let i = 0; i < steps; i++) {
    if (running) {
      const result = env.step(env.actionSpace === null ? undefined : sample(env.actionSpace, actions));
      trajectory.push(`step ${canonical(result)}`);
      running = !(result?.terminated === true || result?.truncated === true);
    } else {
      trajectory.push(`reset ${canonical(env.reset())}`);
      running = true;
    }
  }
  return { trajectory, running };
}

/**
 * For an environment with `getState`/`setState`: a fresh instance restored mid-run, after the
 * state went through a checkpoint's encoding, must go on exactly as the one it was taken from.
 */
function checkStateRoundTrip(factory: () => Environment, seed: number, steps: number): void {
  const original = create(factory, 'an environment to save');
  if (!canGiveState(original)) return;
  const actions = new Rng(seed);
  let half = Math.max(1, Math.floor(steps / 2));
  try {
    original.reset({ seed });
    // Saved mid-episode, where there is most to restore: one reset more if an episode just ended.
    if (!goOn(original, actions, half, true).running) {
      original.reset();
      half++;
    }
  } catch (error) {
    fail(`expected ${half} steps from reset({ seed: ${seed} }) to succeed, but one threw ${describeError(error)}`);
  }
  let state: unknown;
  let kept: unknown;
  try {
    state = original.getState!();
    if (state === undefined) return;
    kept = decodeCheckpoint(encodeCheckpoint(state, { kind: 'environment' }), { kind: 'environment' });
  } catch (error) {
    fail(
      `expected getState() at step ${half} to give plain data a checkpoint keeps, but it threw ${describeError(error)}`,
    );
  }
  if (canonical(kept) !== canonical(state)) {
    fail(
      `expected getState() at step ${half} to give plain data a checkpoint keeps (objects, arrays, numbers, ` +
        `strings, typed arrays), but it came back as ${canonical(kept).slice(0, 160)}`,
    );
  }
  const copy = create(factory, 'an environment to restore');
  try {
    copy.setState!(kept);
  } catch (error) {
    fail(
      `expected setState(getState()) of step ${half} to succeed on a fresh instance, but it threw ` +
        describeError(error),
    );
  }
  const rest = Math.max(1, steps - half);
  const running = true;
  const fork = (): Rng => {
    const rng = new Rng(0);
    rng.setState(actions.getState());
    return rng;
  };
  let expected: string[] = [];
  let got: string[] = [];
  try {
    expected = goOn(original, fork(), rest, running).trajectory;
    got = goOn(copy, fork(), rest, running).trajectory;
  } catch (error) {
    fail(
      `expected the steps after setState(getState()) of step ${half} to succeed, but one threw ${describeError(error)}`,
    );
  }
  const at = firstDifference(expected, got);
  if (at >= 0) {
    const clip = (entry = 'nothing'): string => (entry.length > 160 ? `${entry.slice(0, 160)}…` : entry);
    fail(
      `expected an instance restored with setState(getState()) at step ${half} to go on exactly as the original, ` +
        `but ${at} steps later they differ: ${clip(expected[at])} vs ${clip(got[at])}`,
    );
  }
}

/**
 * Checks that `factory` builds environments that keep the contract of `Environment`; throws
 * an EnvironmentError naming the first failed check, returns `{ steps, episodes }` otherwise.
 */
export function checkEnvironment(
  factory: () => Environment,
  options: CheckEnvironmentOptions = {},
): CheckEnvironmentReport {
  if (typeof factory !== 'function')
    throw new InvalidOptionError(`checkEnvironment: expected a factory function, but got ${describeValue(factory)}`);
  if (!isRecord(options as unknown))
    throw new InvalidOptionError(`checkEnvironment: expected an options object, but got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!['steps', 'seed', 'seedSensitive'].includes(key)) {
      throw new InvalidOptionError(
        `checkEnvironment: expected options among [steps, seed, seedSensitive], but got unknown option "${key}"`,
      );
    }
  }
  const { steps = 300, seed = 0, seedSensitive = true } = options;
  if (!Number.isSafeInteger(steps) || steps < 1)
    throw new InvalidOptionError(
      `checkEnvironment: expected option "steps" to be an integer >= 1, but got ${describeValue(steps)}`,
    );
  if (!Number.isSafeInteger(seed))
    throw new InvalidOptionError(
      `checkEnvironment: expected option "seed" to be an integer, but got ${describeValue(seed)}`,
    );
  if (typeof seedSensitive !== 'boolean') {
    throw new InvalidOptionError(
      `checkEnvironment: expected option "seedSensitive" to be a boolean, but got ${describeValue(seedSensitive)}`,
    );
  }

  const env = create(factory, 'an environment');
  checkSpace(env.observationSpace, 'observationSpace');
  if (env.actionSpace !== null) checkSpace(env.actionSpace, 'actionSpace');

  let threw = false;
  try {
    env.step(env.actionSpace === null ? undefined : sample(env.actionSpace, new Rng(seed)));
  } catch (error) {
    threw = true;
    if (!(error instanceof StateError && error.code === 'ERR_RESET_NEEDED')) {
      fail(`expected step() before reset() to throw StateError ERR_RESET_NEEDED, but it threw ${describeError(error)}`);
    }
  }
  if (!threw) fail('expected step() before reset() to throw StateError ERR_RESET_NEEDED, but it returned a result');

  const first = run(env, seed, steps);
  const same = (other: Run, what: string): void => {
    const at = firstDifference(first.trajectory, other.trajectory);
    if (at < 0) return;
    const clip = (entry = 'nothing'): string => (entry.length > 160 ? `${entry.slice(0, 160)}…` : entry);
    fail(
      `expected ${what} to give the same trajectory, but they differ at entry ${at}: ${clip(first.trajectory[at])} ` +
        `vs ${clip(other.trajectory[at])}`,
    );
  };
  same(run(create(factory, 'a second environment'), seed, steps), `two instances reset with seed ${seed}`);
  // After the fresh-instance check, so a generator shared between instances is named as such.
  same(run(env, seed, steps), `reset({ seed: ${seed} }) again on the same instance`);
  if (seedSensitive) {
    let differs = false;
    for (let d = 1; d <= 4 && !differs; d++) {
      differs =
        firstDifference(first.trajectory, run(create(factory, 'another environment'), seed + d, steps).trajectory) >= 0;
    }
    if (!differs)
      fail(
        `expected a different seed to give a different trajectory, but seeds ${seed + 1} to ${seed + 4} gave the ` +
          `same ${steps} steps as seed ${seed} (a recorded stream that ignores the seed passes with ` +
          `{ seedSensitive: false })`,
      );
  }
  checkStateRoundTrip(factory, seed, steps);
  return { steps, episodes: first.episodes };
}
