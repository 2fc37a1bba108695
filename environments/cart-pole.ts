// CartPole-v1: the cart-pole of Barto, Sutton and Anderson (1983) exactly as Gymnasium's CartPoleEnv
// (its "euler" kinematics order): a pole on a cart on a frictionless track, balanced by pushing the
// cart left or right with a fixed force; reward 1 per step, the terminating one included.
//
// With force F = ±10, state (x, ẋ, θ, θ̇), g = 9.8, m_c = 1, m_p = 0.1, l = 0.5 (half the pole),
// M = m_c + m_p, τ = 0.02 (Florian 2007, "Correct equations for the dynamics of the cart-pole"):
//   temp = (F + m_p·l·θ̇²·sin θ) / M
//   θ̈    = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / M))
//   ẍ    = temp − m_p·l·θ̈·cos θ / M
//   x ← x + τ·ẋ,  ẋ ← ẋ + τ·ẍ,  θ ← θ + τ·θ̇,  θ̇ ← θ̇ + τ·θ̈   (each from the old values)
// Terminated when |θ| > 12° or |x| > 2.4; truncated after `length` steps.

import { box, discrete } from '../src/environment/space.js';
import type { BoxSpace, DiscreteSpace, SpaceValue } from '../src/environment/space.js';
import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { StateError } from '../src/errors.js';
import { Rng, checkRngState } from '../src/random.js';
import { assertInSpace } from '../src/environment/space.js';
import { stateArray, stateBoolean, stateInteger, stateNumber, stateRecord } from '../src/checkpoint/state-checks.js';
import { environmentOptions, integerOption, checkStateOwner, resetSeed } from './environment-options.js';

export interface CartPoleOptions {
  /** Steps per episode before `truncated` (Gymnasium's TimeLimit of v1). Default 500. */
  length?: number;
}

export const CART_POLE_DEFAULTS: Readonly<Required<CartPoleOptions>> = Object.freeze({ length: 500 });

const WHERE = 'CartPole';
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE = 10.0;
const TAU = 0.02;
/** The angle and the position past which the episode ends. */
export const CART_POLE_THETA_LIMIT = (12 * 2 * Math.PI) / 360;
export const CART_POLE_X_LIMIT = 2.4;

/**
 * Observation: box(4) of float32 [x, ẋ, θ, θ̇]; the state itself is kept in float64, as Gymnasium
 * does, and only the observation is rounded. Actions: discrete(2), 0 pushes left, 1 pushes right.
 * `info` is empty, as Gymnasium's.
 */
export class CartPole implements Environment<Float32Array, number> {
  // Our box has one bound for all entries. Gymnasium's are ±4.8 for x, ±0.418 for θ and ±the
  // float32 maximum for both velocities; the only scalar bounds that hold all four are the
  // velocities', and the float32 maximum means "unbounded", so the box is unbounded.
  readonly observationSpace: BoxSpace = box(4);
  readonly actionSpace: DiscreteSpace = discrete(2, { labels: ['left', 'right'] });
  spec?: EnvironmentSpec;
  readonly length: number;
  private rng = new Rng(0);
  private readonly state = new Float64Array(4);
  private t = -1;
  private done = false;

  constructor(options: CartPoleOptions = {}) {
    const o = environmentOptions(WHERE, options, CART_POLE_DEFAULTS);
    this.length = integerOption(WHERE, 'length', o.length, 1);
  }

  reset(options?: ResetOptions): ResetResult<Float32Array> {
    const seed = resetSeed(WHERE, options);
    if (seed !== undefined) {
      this.rng = new Rng(seed);
    }
    for (let i = 0; i < 4; i++) this.state[i] = -0.05 + 0.1 * this.rng.float();
    this.t = 0;
    this.done = false;
    return { observation: Float32Array.from(this.state), info: {} };
  }

  step(action?: SpaceValue | null): StepResult<Float32Array> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', `${WHERE}.step: expected reset() before the first step`);
    if (this.done) throw new StateError('ERR_EPISODE_ENDED', `${WHERE}.step: expected reset() after the episode ended`);
    assertInSpace(this.actionSpace, action, `${WHERE}.step: action`);
    const [x, xDot, theta, thetaDot] = this.state as unknown as [number, number, number, number];
    const force = action === 1 ? FORCE : -FORCE;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot ** 2 * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4 / 3 - (MASS_POLE * cos ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    this.state[0] = x + TAU * xDot;
    this.state[1] = xDot + TAU * xAcc;
    this.state[2] = theta + TAU * thetaDot;
    this.state[3] = thetaDot + TAU * thetaAcc;
    this.t += 1;
    const terminated = Math.abs(this.state[0]!) > CART_POLE_X_LIMIT || Math.abs(this.state[2]!) > CART_POLE_THETA_LIMIT;
    // As our TimeLimit (Gymnasium's would set both): a step that terminates is not also truncated.
    const truncated = !terminated && this.t === this.length;
    this.done = terminated || truncated;
    return { observation: Float32Array.from(this.state), reward: 1, terminated, truncated, info: {} };
  }

  getState(): Record<string, unknown> {
    return { environment: WHERE, rng: this.rng.getState(), state: Array.from(this.state), t: this.t, done: this.done };
  }

  setState(state: unknown): void {
    const where = `${WHERE}.setState`;
    checkStateOwner(where, state, WHERE);
    const s = stateRecord(where, 'the state', state, ['environment', 'rng', 'state', 't', 'done']);
    const rng = checkRngState(s.rng, where, 'rng');
    const values = stateArray(where, 'state', s.state, 4).map((v, i) => stateNumber(where, `state[${i}]`, v));
    const t = stateInteger(where, 't', s.t, -1, this.length);
    const done = stateBoolean(where, 'done', s.done);
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.state.set(values);
    this.t = t;
    this.done = done;
  }

  close(): void {}
}
