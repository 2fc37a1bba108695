// The acting agent: the action taken and the return it led to are side modalities of one
// recurrent stack (a predictive agent over { observation, action, return }), and the agent acts
// by inference through the top auto-encoder, the current top code clamped (SPEC §5):
//
// - policy 'evaluate' (default): every action is clamped in turn (one batched MAP inference) and
//   the return it leads to is inferred; the agent takes the action whose inferred return comes
//   nearest the command (the highest, for command 'max'), drawn with probabilities
//   ∝ exp(−|R̂(a) − R*| / τ) (for 'max': ∝ exp(R̂(a) / τ)), R̂ in scaled units (below).
// - policy 'command': the commanded return R* is clamped and the action inferred (MAP), as in
//   return-conditioned policies (upside-down RL); the agent draws from the inferred
//   probabilities sharpened as p^(1/τ). With command 'max', R* is the largest return seen.
//
// τ, the exploration temperature, falls linearly from `exploration.temperature` to
// `exploration.final` over `exploration.decaySteps` actions; with `exploration.epsilon` a share
// of actions is uniform. The return of step t is the discounted sum of the next `horizon`
// rewards, r(t+1) + γ r(t+2) + …, cut at the episode's end; it is known `horizon` steps later and
// then attached to step t while the step is still in the stack's window (horizon < window). Steps
// whose return never completes (a truncated episode) learn the action alone. Returns enter the
// stack divided by a fixed scale, `returnScale` (default Σ_{k<horizon} γ^k, so that a return
// enters as the discounted mean reward per step; a running standardisation was measured worse,
// docs/experiments.md rows P8 and P9, as its moving mean shifts what was learned). The agent
// reports, per completed return, the return it commanded (the command, or for 'max' the inferred
// return of the action it took) beside the one it got.

import type { Agent, AgentState, ModalityPrediction, Outcome, Transition } from '../src/agent/agent.js';
import type { ActingFrame, Frame, Topology } from '../src/agent/snapshot.js';
import {
  corruptState,
  stateArray,
  stateFloats,
  stateInteger,
  stateNumber,
  stateRecord,
} from '../src/checkpoint/state-checks.js';
import { type DiscreteSpace, type Space, assertInSpace, box, dict } from '../src/environment/space.js';
import { CheckpointError, InvalidOptionError, StateError, describeValue } from '../src/errors.js';
import { packSide } from '../src/learner/side-batch.js';
import { inferAtNewest } from '../src/learner/recurrent-inference.js';
import { inferenceOptions, type InferenceChoices, INFERENCE_CHOICE_KEYS } from '../src/learner/top-inference.js';
import { RollingMean } from '../src/metrics/rolling-mean.js';
import { checkKeys, choiceOption, numberOption } from '../src/options.js';
import { Rng, checkRngState } from '../src/random.js';
import { PredictiveAgent, type PredictiveAgentOptions } from './predictive-agent.js';

export const ACTING_POLICIES = ['evaluate', 'command'] as const;
export type ActingPolicy = (typeof ACTING_POLICIES)[number];

export interface ActingExploration {
  /** τ at the first action; default 0.2 (scaled return units under 'evaluate'). */
  readonly temperature?: number;
  /** τ after `decaySteps` actions; default `temperature`. */
  readonly final?: number;
  /** Actions over which τ falls linearly; default 0 (constant). */
  readonly decaySteps?: number;
  /** Share of uniformly random actions; default 0. */
  readonly epsilon?: number;
  /** The share after `decaySteps` actions (linear from `epsilon`, as τ); default `epsilon`. */
  readonly finalEpsilon?: number;
}

export type ActingAgentOptions = Omit<PredictiveAgentOptions, 'inputKey'> & {
  /** The space of actions: discrete(n). Given by the run (createAgent's third argument) if left out. */
  readonly actionSpace?: Space;
  /** 'evaluate' (default) or 'command' (see the file's header). */
  readonly policy?: ActingPolicy;
  /** The return commanded: 'max' (default) or a number, in the environment's reward units. */
  readonly command?: number | 'max';
  /** Rewards summed into a step's return; default 1 (the next reward). */
  readonly horizon?: number;
  /** γ of the return; default 1. */
  readonly discount?: number;
  /** 'per-action' (default under 'evaluate'): one return modality per action; 'one' (under 'command'). */
  readonly returns?: 'one' | 'per-action';
  /** Returns enter the stack divided by this; default Σ_{k<horizon} γ^k (a mean reward per step). */
  readonly returnScale?: number;
  /**
   * 'evaluate' only: a return whose horizon passed before the episode ended adds γ^horizon × the
   * value the top infers for the state then (n-step targets); default 'none'. 'max': the highest
   * inferred return (Q-learning); 'policy': their mean under the policy's probabilities there.
   */
  readonly bootstrap?: 'none' | 'max' | 'policy';
  readonly exploration?: ActingExploration;
  /** How the top infers (method, iterations, samples, noise); default MAP, 1 iteration ('evaluate') or 20. */
  readonly inference?: Omit<InferenceChoices, 'seed'>;
  /** Seeds the agent's action draws (and the stack's, as `seed` does for a predictive agent). */
  readonly seed?: number;
};

const OWN_KEYS = [
  'actionSpace',
  'policy',
  'command',
  'horizon',
  'discount',
  'returnScale',
  'returns',
  'bootstrap',
  'exploration',
  'inference',
];
const EXPLORATION_KEYS = ['temperature', 'final', 'decaySteps', 'epsilon', 'finalEpsilon'];
// Version 2: returns keep their count and largest only (no running mean and variance).
const VERSION = 2;

/** A step whose return is still being summed. */
interface Pending {
  /** The inner agent's learner step the action was taken at. */
  readonly index: number;
  readonly action: number;
  /** The return the agent commanded at that step (environment units). */
  readonly commanded: number;
  /** The discounted sum of the rewards so far, and how many. */
  sum: number;
  count: number;
}

/**
 * The stack acting infers through (docs/experiments.md, rows P9–P14): the top auto-encoder trained,
 * with little noise (the codes vary by a few tenths; noise 0.3 hid them); the input beside the top
 * code (inputSkip), so the top reads the observation as well as the recurrent code; the encoders
 * also reconstruct their input, so that the codes describe the observations while the policy is
 * still exploring. Decoders at the library's 1e-3. The top's hidden layer 128 wide (with the input
 * beside the code, the stack's default, twice the code and input, is 1,696 for an MNIST digit).
 */
const ACTING_DEFAULTS: PredictiveAgentOptions = Object.freeze({
  top: { trainAutoEncoder: true, noise: 0.03, size: 128 },
  inputSkip: true,
  encoderReconstructionWeight: 1,
});

export class ActingAgent implements Agent {
  static readonly agentKind: string = 'acting';
  readonly kind: string = 'acting';
  readonly actionSpace: DiscreteSpace;
  readonly topology: Topology;
  /** The predictive agent over { observation, action, return } that learns. */
  readonly inner: PredictiveAgent;
  readonly policy: ActingPolicy;
  readonly command: number | 'max';
  readonly horizon: number;
  readonly discount: number;
  readonly returnScale: number;
  readonly bootstrap: 'none' | 'max' | 'policy';
  private readonly exploration: Required<ActingExploration>;
  private readonly inference: ReturnType<typeof inferenceOptions>;
  private readonly actions: number;
  /** The return modalities: one, or one per action (option `returns`). */
  private readonly returnNames: readonly string[];
  /** Whether each action's return is its own modality (option `returns` 'per-action'). */
  private readonly perAction: boolean;
  /** Every action one-hot, a row each: the actions clamped under 'evaluate' with one return. */
  private readonly eye: Float32Array;
  /** Every side modality unknown: what 'evaluate' infers from with a return per action. */
  private readonly unknown: readonly null[];
  private rng: Rng;
  /** How many returns were attached, and the largest (the command 'max' of policy 'command'). */
  private returns = { count: 0, max: -Infinity };
  private pending: Pending[] = [];
  /** Actions taken so far (the exploration schedule's clock). */
  private taken = 0;
  /** Whether an observation came since the last action (act() needs one). */
  private fresh = false;
  private lastStep = -1;
  private lastProbabilities: Float32Array;
  private lastAction = -1;
  private episodeReturn = 0;
  /** What the viewer draws (ActingFrame): the last reward, episode return, commanded and achieved return. */
  private last = {
    reward: 0,
    episodeReturn: null as number | null,
    commanded: null as number | null,
    achieved: null as number | null,
  };
  private readonly stats = {
    gap: new RollingMean(100),
    achieved: new RollingMean(100),
    commanded: new RollingMean(100),
    episodeReturn: new RollingMean(100),
    reward: new RollingMean(1000),
  };
  private disposed = false;

  constructor(
    readonly observationSpace: Space,
    readonly options: ActingAgentOptions = {},
    actionSpace?: Space,
  ) {
    const where = 'ActingAgent';
    const { policy, command, horizon, discount, returnScale, returns, bootstrap, exploration, inference, ...rest } =
      options;
    const space = options.actionSpace ?? actionSpace;
    if (space === undefined || space === null || typeof space !== 'object' || space.kind !== 'discrete')
      throw new InvalidOptionError(
        `${where}: expected option "actionSpace" to be a discrete space, but got ${describeValue(space)}`,
      );
    if (observationSpace.kind !== 'box' && observationSpace.kind !== 'discrete')
      throw new InvalidOptionError(
        `${where}: expected a box or discrete observation space, but got a ${observationSpace.kind} space`,
      );
    checkKeys(where, options, [...OWN_KEYS, ...Object.keys(rest)]);
    this.actionSpace = space;
    this.actions = space.n;
    this.policy = choiceOption(where, 'policy', policy, 'evaluate', ACTING_POLICIES);
    if (command !== undefined && command !== 'max' && !(typeof command === 'number' && Number.isFinite(command)))
      throw new InvalidOptionError(
        `${where}: expected option "command" to be 'max' or a finite number, but got ${describeValue(command)}`,
      );
    this.command = command ?? 'max';
    this.horizon = numberOption(where, 'horizon', horizon, 1, { integer: true, min: 1 });
    this.discount = numberOption(where, 'discount', discount, 1, { min: 0, max: 1 });
    let scale = 0;
    for (let k = 0; k < this.horizon; k++) scale += this.discount ** k;
    this.returnScale = numberOption(where, 'returnScale', returnScale, scale, { above: 0 });
    if (exploration !== undefined && (typeof exploration !== 'object' || exploration === null))
      throw new InvalidOptionError(`${where}: expected option "exploration" to be a record`);
    checkKeys(`${where} option "exploration"`, exploration ?? {}, EXPLORATION_KEYS);
    const ex = `${where} option "exploration"`;
    const temperature = numberOption(ex, 'temperature', exploration?.temperature, 0.2, { above: 0 });
    const epsilon = numberOption(ex, 'epsilon', exploration?.epsilon, 0, { min: 0, max: 1 });
    this.exploration = {
      temperature,
      final: numberOption(ex, 'final', exploration?.final, temperature, { above: 0 }),
      decaySteps: numberOption(ex, 'decaySteps', exploration?.decaySteps, 0, { integer: true, min: 0 }),
      epsilon,
      finalEpsilon: numberOption(ex, 'finalEpsilon', exploration?.finalEpsilon, epsilon, { min: 0, max: 1 }),
    };
    if (inference !== undefined && (typeof inference !== 'object' || inference === null))
      throw new InvalidOptionError(`${where}: expected option "inference" to be a record`);
    checkKeys(
      `${where} option "inference"`,
      inference ?? {},
      INFERENCE_CHOICE_KEYS.filter((k) => k !== 'seed'),
    );
    const seed = numberOption(where, 'seed', options.seed, 0, { integer: true });
    this.rng = new Rng(seed * 7919 + 17);
    // 'per-action' (default under 'evaluate'): each action's return is its own modality, present
    // only for the action taken, so that the top predicts every action's return from the code
    // alone (rows P13, P14: one return beside the action needs the top to learn their
    // conjunction, which it did not on MNIST). 'one' (under 'command'): one return modality
    // beside the action, clamped to the command.
    const returnKind = choiceOption(where, 'returns', returns, this.policy === 'evaluate' ? 'per-action' : 'one', [
      'one',
      'per-action',
    ] as const);
    if (returnKind === 'per-action' && this.policy !== 'evaluate')
      throw new InvalidOptionError(`${where}: expected option "returns" 'one' under policy 'command'`);
    this.perAction = returnKind === 'per-action';
    this.bootstrap = choiceOption(where, 'bootstrap', bootstrap, 'none', ['none', 'max', 'policy'] as const);
    if (this.bootstrap !== 'none' && this.policy !== 'evaluate')
      throw new InvalidOptionError(`${where}: expected option "bootstrap" 'none' under policy 'command'`);
    this.returnNames = this.perAction ? Array.from({ length: this.actions }, (_, a) => `return${a}`) : ['return'];
    this.unknown = [null, ...this.returnNames.map(() => null)];
    const sides: Record<string, Space> = { observation: observationSpace, action: space };
    for (const name of this.returnNames) sides[name] = box(1);
    const joint = dict(sides, ['action', ...this.returnNames]);
    // The top learns exactly the conditional the policy infers: R̂(h, a) under 'evaluate' (the
    // return always masked; the action never with one return, always with a return per action,
    // which is inferred with the action unknown), P(a | h, R) under 'command' (rows P12, P22).
    const evaluate = this.policy === 'evaluate';
    const drops: Record<string, number> = { action: evaluate && !this.perAction ? 0 : 1 };
    for (const name of this.returnNames) drops[name] = evaluate ? 1 : 0;
    // Neither the action (a choice, not a property of the observation) nor the returns (noise to
    // the codes while the policy explores; row P13) make the codes' targets.
    const targetWeights: Record<string, number> = { action: 0 };
    for (const name of this.returnNames) targetWeights[name] = 0;
    const top = { ...ACTING_DEFAULTS.top, dropProbability: drops, targetWeights, ...rest.top };
    this.inner = new PredictiveAgent(joint, { ...ACTING_DEFAULTS, predictNext: false, ...rest, top });
    const stack = this.inner.stack;
    if (!stack) {
      this.inner.dispose();
      throw new InvalidOptionError(`${where}: expected the 'tp' learner (acting infers through its top)`);
    }
    if (!stack.top.usesAutoEncoder) {
      this.inner.dispose();
      throw new InvalidOptionError(`${where}: expected top.trainAutoEncoder true (acting infers through it)`);
    }
    if (this.horizon >= stack.options.window) {
      this.inner.dispose();
      throw new InvalidOptionError(
        `${where}: expected option "horizon" below the window (${stack.options.window}), but got ${this.horizon}`,
      );
    }
    // One pass of the top under 'evaluate' (the prediction its masked training teaches; 20
    // iterations of MAP were measured worse, row P9), MAP's 20 under 'command'.
    const iterations = this.policy === 'evaluate' ? 1 : 20;
    this.inference = inferenceOptions(
      `${where} option "inference"`,
      { iterations, ...inference },
      stack.top.config.noise,
    );
    this.lastProbabilities = new Float32Array(this.actions).fill(1 / this.actions);
    this.eye = new Float32Array(this.actions * this.actions);
    for (let a = 0; a < this.actions; a++) this.eye[a * this.actions + a] = 1;
    const inner = this.inner.topology;
    this.topology = {
      ...inner,
      agent: 'acting',
      metrics: [...inner.metrics, ...Object.keys(ACTING_METRICS)],
      about: {
        losses: inner.about?.losses ?? {},
        ...inner.about,
        metrics: { ...inner.about?.metrics, ...ACTING_METRICS },
      },
    };
  }

  private assertLive(where: string): void {
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `ActingAgent.${where}: expected a live agent, but it has been disposed`);
  }

  /** τ now: linear from `temperature` to `final` over `decaySteps` actions. */
  get temperature(): number {
    const { temperature, final } = this.exploration;
    return this.scheduled(temperature, final);
  }

  /** The share of uniformly random actions now: linear from `epsilon` to `finalEpsilon`, as τ. */
  get epsilon(): number {
    const { epsilon, finalEpsilon } = this.exploration;
    return this.scheduled(epsilon, finalEpsilon);
  }

  private scheduled(from: number, to: number): number {
    const { decaySteps } = this.exploration;
    if (decaySteps === 0 || this.taken >= decaySteps) return decaySteps === 0 ? from : to;
    return from + ((to - from) * this.taken) / decaySteps;
  }

  observe(transition: Transition): Outcome {
    this.assertLive('observe');
    const where = 'ActingAgent.observe';
    assertInSpace(this.observationSpace, transition.observation, `${where}: observation`);
    if (!Number.isFinite(transition.reward))
      throw new InvalidOptionError(`${where}: expected a finite reward, but got ${describeValue(transition.reward)}`);
    this.last.reward = transition.first ? 0 : transition.reward;
    // Without a bootstrap the returns are attached before the step is learned; with one, after
    // (the value of the state reached is inferred from its code).
    const settle = !transition.first && this.bootstrap !== 'none';
    if (transition.first) {
      // The previous episode was cut short (or never ended): its open returns are unknown.
      this.closePending(false);
      this.episodeReturn = 0;
    } else {
      this.stats.reward.update(transition.reward);
      this.episodeReturn += transition.reward;
      for (const p of this.pending) {
        p.sum += this.discount ** p.count * transition.reward;
        p.count += 1;
      }
      if (!settle) {
        if (transition.terminated) this.closePending(true);
        else this.attachComplete();
        if (transition.truncated && !transition.terminated) this.closePending(false);
      }
      if (transition.terminated || transition.truncated) {
        this.stats.episodeReturn.update(this.episodeReturn);
        this.last.episodeReturn = this.episodeReturn;
      }
    }
    const outcome = this.inner.observe({ ...transition, observation: { observation: transition.observation } });
    if (settle) {
      if (transition.terminated) this.closePending(true);
      else {
        // A time limit is not the end of the task: the cut returns bootstrap too.
        const value = this.stateValue(transition.truncated);
        this.attachComplete(value);
        if (transition.truncated) this.closePending(true, value);
      }
    }
    this.fresh = !(transition.terminated || transition.truncated);
    this.lastStep = transition.step;
    return outcome;
  }

  /** Attaches every pending return that has its `horizon` rewards (and the bootstrap's `value`). */
  private attachComplete(value = 0): void {
    const done = this.pending.filter((p) => p.count >= this.horizon);
    if (done.length === 0) return;
    this.pending = this.pending.filter((p) => p.count < this.horizon);
    for (const p of done) this.attach(p, true, value);
  }

  /** Every pending step: its return complete (the episode ended, or bootstrapped) or unknown (cut short). */
  private closePending(complete: boolean, value = 0): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) this.attach(p, complete, value);
  }

  /** `value`: the bootstrap's value of the state the return stops at (environment units). */
  private attach(p: Pending, complete: boolean, value = 0): void {
    const stack = this.inner.stack!;
    const values: Record<string, number | Float32Array> = { action: p.action };
    if (complete) {
      // With a bootstrap, what was achieved is the return learned: the rewards and the tail inferred.
      const achieved = p.sum + this.discount ** p.count * value;
      values[this.perAction ? `return${p.action}` : 'return'] = Float32Array.of(this.scaled(achieved));
      this.updateReturns(achieved);
      this.stats.achieved.update(achieved);
      this.stats.commanded.update(p.commanded);
      this.stats.gap.update(Math.abs(p.commanded - achieved));
      this.last.commanded = p.commanded;
      this.last.achieved = achieved;
    }
    stack.attachSide(p.index, packSide(stack.sideModalities, [values], 'ActingAgent.attach'));
  }

  private updateReturns(value: number): void {
    this.returns.count += 1;
    if (value > this.returns.max) this.returns.max = value;
  }

  private scaled(value: number): number {
    return value / this.returnScale;
  }

  private unscaled(value: number): number {
    return value * this.returnScale;
  }

  /** The action to take now, by inference through the top (see the file's header). */
  act(): number {
    this.assertLive('act');
    if (!this.fresh)
      throw new StateError(
        'ERR_NO_OBSERVATION',
        'ActingAgent.act: expected an observation since the last action (observe a transition first)',
      );
    const stack = this.inner.stack!;
    const tau = this.temperature;
    const n = this.actions;
    let weights: Float64Array;
    let expected: Float64Array | null = null;
    if (this.policy === 'evaluate') {
      expected = this.expectedReturns();
      weights = this.evaluateWeights(expected, tau);
    } else {
      const desired =
        this.command === 'max'
          ? this.returns.count === 0
            ? 1
            : this.scaled(this.returns.max)
          : this.scaled(this.command);
      const settings = { ...this.inference, rng: this.rng };
      const samples = inferAtNewest(stack, 1, [null, Float32Array.of(desired)], settings);
      const p = new Float64Array(n);
      for (const s of samples) for (let a = 0; a < n; a++) p[a]! += s[0]![a]! / samples.length;
      weights = Float64Array.from(p, (v) => Math.max(v, 1e-12) ** (1 / tau));
    }
    let total = 0;
    for (const w of weights) total += w;
    for (let a = 0; a < n; a++) this.lastProbabilities[a] = weights[a]! / total;
    let action = n - 1;
    if (this.rng.float() < this.epsilon) action = this.rng.int(n);
    else {
      let u = this.rng.float() * total;
      for (let a = 0; a < n; a++) {
        u -= weights[a]!;
        if (u < 0) {
          action = a;
          break;
        }
      }
    }
    const commanded =
      this.command !== 'max'
        ? this.command
        : expected
          ? this.unscaled(expected[action]!)
          : this.returns.count === 0
            ? 0
            : this.returns.max;
    this.pending.push({ index: this.inner.learner.steps - 1, action, commanded, sum: 0, count: 0 });
    this.taken += 1;
    this.fresh = false;
    this.lastAction = action;
    return action;
  }

  /** Under 'evaluate', each action's return inferred at the newest step (scaled units). */
  private expectedReturns(ended = false): Float64Array {
    const stack = this.inner.stack!;
    const n = this.actions;
    const settings = { ...this.inference, rng: this.rng, ended };
    const r = new Float64Array(n);
    if (this.perAction) {
      const samples = inferAtNewest(stack, 1, this.unknown, settings);
      for (const s of samples) for (let a = 0; a < n; a++) r[a]! += s[1 + a]![0]! / samples.length;
    } else {
      const samples = inferAtNewest(stack, n, [this.eye, null], settings);
      for (const s of samples) for (let a = 0; a < n; a++) r[a]! += s[1]![a]! / samples.length;
    }
    return r;
  }

  /** Under 'evaluate', the unnormalised probability of each action given its inferred return. */
  private evaluateWeights(r: Float64Array, tau: number): Float64Array {
    const target = this.command === 'max' ? null : this.scaled(this.command);
    const score = Float64Array.from(r, (v) => (target === null ? v : -Math.abs(v - target)) / tau);
    const top = Math.max(...score);
    return Float64Array.from(score, (v) => Math.exp(v - top));
  }

  /** The bootstrap's value of the newest state (environment units): see option `bootstrap`. */
  private stateValue(ended: boolean): number {
    const r = this.expectedReturns(ended);
    if (this.bootstrap === 'max') return this.unscaled(Math.max(...r));
    const w = this.evaluateWeights(r, this.temperature);
    const epsilon = this.epsilon;
    let total = 0;
    for (const v of w) total += v;
    let value = 0;
    for (let a = 0; a < r.length; a++) value += ((1 - epsilon) * (w[a]! / total) + epsilon / r.length) * r[a]!;
    return this.unscaled(value);
  }

  predict(): ModalityPrediction[] {
    this.assertLive('predict');
    return this.inner.predict();
  }

  reset(): void {
    this.assertLive('reset');
    this.closePending(false);
    this.inner.reset();
    this.fresh = false;
  }

  metrics(): Record<string, number> {
    const s = this.stats;
    const own: Record<string, number> = {
      'acting/reward': s.reward.get(),
      'acting/episodeReturn': s.episodeReturn.get(),
      'acting/episodes': s.episodeReturn.count,
      'acting/achievedReturn': s.achieved.get(),
      'acting/commandedReturn': s.commanded.get(),
      'acting/commandGap': s.gap.get(),
      'acting/temperature': this.temperature,
    };
    for (const [k, v] of Object.entries(own)) if (Number.isNaN(v)) delete own[k];
    return { ...this.inner.metrics(), ...own };
  }

  /** The inner agent's frame, with the action distribution inferred at the last action and the action taken. */
  snapshot(): Frame {
    this.assertLive('snapshot');
    const acting: ActingFrame = {
      probabilities: Array.from(this.lastProbabilities),
      action: this.lastAction,
      step: this.lastStep,
      reward: this.last.reward,
      episodeReturn: this.episodeReturn,
      lastEpisodeReturn: this.last.episodeReturn,
      commanded: this.last.commanded,
      achieved: this.last.achieved,
    };
    return { ...this.inner.snapshot(), metrics: this.metrics(), acting };
  }

  getState(): AgentState {
    this.assertLive('getState');
    return {
      kind: 'acting',
      version: VERSION,
      options: { ...this.options, actionSpace: this.actionSpace },
      data: {
        inner: this.inner.getState(),
        rng: this.rng.getState(),
        returns: { ...this.returns, max: Number.isFinite(this.returns.max) ? this.returns.max : null },
        pending: this.pending.map((p) => [p.index, p.action, p.commanded, p.sum, p.count]),
        taken: this.taken,
        fresh: this.fresh,
        lastStep: this.lastStep,
        lastAction: this.lastAction,
        lastProbabilities: Float32Array.from(this.lastProbabilities),
        episodeReturn: this.episodeReturn,
        last: { ...this.last },
        stats: Object.fromEntries(Object.entries(this.stats).map(([k, m]) => [k, m.getState()])),
      },
    };
  }

  /** Restores a state from `getState`; all of it is checked before anything changes. */
  setState(state: AgentState): void {
    this.assertLive('setState');
    const where = 'ActingAgent.setState';
    const s = stateRecord(where, 'the state', state, ['kind', 'version', 'options', 'data']);
    if (s.kind !== 'acting') corruptState(where, 'kind', '"acting"', s.kind);
    if (s.version !== VERSION)
      throw new CheckpointError(
        'ERR_CHECKPOINT_VERSION',
        `${where}: expected acting agent state version ${VERSION}, but got ${describeValue(s.version)}`,
      );
    const d = stateRecord(where, 'data', s.data, [
      'inner',
      'rng',
      'returns',
      'pending',
      'taken',
      'fresh',
      'lastStep',
      'lastAction',
      'lastProbabilities',
      'episodeReturn',
      'last',
      'stats',
    ]);
    const rng = checkRngState(d.rng, where, 'data.rng');
    const r = stateRecord(where, 'data.returns', d.returns, ['count', 'max']);
    const returns = {
      count: stateInteger(where, 'data.returns.count', r.count, 0),
      max: r.max === null ? -Infinity : stateNumber(where, 'data.returns.max', r.max),
    };
    const pending = stateArray(where, 'data.pending', d.pending).map((entry, i): Pending => {
      const [index, action, commanded, sum, count] = stateArray(where, `data.pending[${i}]`, entry, 5);
      return {
        index: stateInteger(where, `data.pending[${i}][0]`, index, 0),
        action: stateInteger(where, `data.pending[${i}][1]`, action, 0, this.actions - 1),
        commanded: stateNumber(where, `data.pending[${i}][2]`, commanded),
        sum: stateNumber(where, `data.pending[${i}][3]`, sum),
        count: stateInteger(where, `data.pending[${i}][4]`, count, 0),
      };
    });
    const probabilities = stateFloats(where, 'data.lastProbabilities', d.lastProbabilities, this.actions);
    if (typeof d.fresh !== 'boolean') corruptState(where, 'data.fresh', 'a boolean', d.fresh);
    const taken = stateInteger(where, 'data.taken', d.taken, 0);
    const lastStep = stateInteger(where, 'data.lastStep', d.lastStep, -1);
    const lastAction = stateInteger(where, 'data.lastAction', d.lastAction, -1, this.actions - 1);
    const episodeReturn = stateNumber(where, 'data.episodeReturn', d.episodeReturn);
    const l = stateRecord(where, 'data.last', d.last, ['reward', 'episodeReturn', 'commanded', 'achieved']);
    const orNull = (key: string, v: unknown): number | null => (v === null ? null : stateNumber(where, key, v));
    const last = {
      reward: stateNumber(where, 'data.last.reward', l.reward),
      episodeReturn: orNull('data.last.episodeReturn', l.episodeReturn),
      commanded: orNull('data.last.commanded', l.commanded),
      achieved: orNull('data.last.achieved', l.achieved),
    };
    const stats = stateRecord(where, 'data.stats', d.stats, Object.keys(this.stats));
    this.checkStats(stats, where);
    this.inner.setState(d.inner as AgentState);
    for (const [k, m] of Object.entries(this.stats)) m.setState(stats[k] as never);
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.returns = returns;
    this.pending = pending;
    this.taken = taken;
    this.fresh = d.fresh as boolean;
    this.lastStep = lastStep;
    this.lastAction = lastAction;
    this.lastProbabilities.set(probabilities);
    this.episodeReturn = episodeReturn;
    this.last = last;
  }

  /** Checks the saved rolling means on copies, so that a bad one changes nothing. */
  private checkStats(stats: Record<string, unknown>, where: string): void {
    for (const [k, m] of Object.entries(this.stats)) {
      try {
        new RollingMean(m.window).setState(stats[k] as never);
      } catch (err) {
        corruptState(where, `data.stats.${k}`, 'a rolling mean', (err as Error).message);
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inner.dispose();
  }
}

const ACTING_METRICS = Object.freeze({
  'acting/reward': { definition: 'Mean reward per step over the last 1,000 steps' },
  'acting/episodeReturn': { definition: 'Mean return of the last 100 episodes' },
  'acting/episodes': { definition: 'Episodes ended' },
  'acting/achievedReturn': { definition: 'Mean return over the horizon achieved, last 100 actions' },
  'acting/commandedReturn': { definition: 'Mean return commanded (or expected, for command max), last 100' },
  'acting/commandGap': { definition: 'Mean |commanded − achieved| return, last 100 actions' },
  'acting/temperature': { definition: 'Exploration temperature τ now' },
});
