// How unusual the learner's state is: a calibrated score of the top code under a Gaussian fitted
// to the codes before it (the Gaussian prior of SPEC §4, priors/gaussian-prior.ts), beside the
// prediction errors' scores. An event that the predictions follow at once, a level shift that a
// learner of differences predicts well, still moves the code to where it has not been. Per step,
// with the code h:
//   q = (h − μ)ᵀ (C + εI)⁻¹ (h − μ)     the squared Mahalanobis distance (ε as the prior's)
//   score = AnomalyScore(q)              the tail probability of its recent mean (anomaly-score.ts,
//                                        with the same options: two-sided by default, so a code
//                                        stuck nearer the mean than usual counts too)
// μ and C weigh the codes of w or more steps ago (w: the score's window, so an event does not
// meet itself), over the score's history H; the distances are taken under a copy of the fit
// frozen every 50 codes (factored once per copy: a Cholesky costs n³/3), and nothing is scored
// before the fit has seen `warmup` codes. The copy is part of the state, so a restored score goes
// on exactly.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';
import { GaussianPrior } from '../priors/gaussian-prior.js';
import { AnomalyScore, type AnomalyScoreOptions, type AnomalyScoreState } from './anomaly-score.js';

/** Codes taken into the fit between two frozen copies. */
const REFRESH = 50;

export interface StateNoveltyState {
  running: Record<string, unknown>;
  frozen: Record<string, unknown>;
  score: AnomalyScoreState;
  delayed: number[];
  next: number;
  filled: number;
  since: number;
}

export class StateNovelty {
  readonly size: number;
  readonly window: number;
  readonly warmup: number;
  private readonly running: GaussianPrior;
  private readonly frozen: GaussianPrior;
  private readonly score: AnomalyScore;
  private readonly delayed: Float64Array;
  private next = 0;
  private filled = 0;
  private since = 0;

  constructor(size: number, options: AnomalyScoreOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new InvalidOptionError(`StateNovelty: expected a code size >= 1, but got ${describeValue(size)}`);
    this.size = size;
    // The score's own checks (window, history, warm-up, tail) first.
    this.score = new AnomalyScore(options, 1);
    this.window = this.score.window;
    this.warmup = this.score.warmup;
    this.running = new GaussianPrior(size, { history: this.score.history });
    this.frozen = new GaussianPrior(size, { history: this.score.history });
    this.delayed = new Float64Array(this.window * size);
  }

  /** Takes the step's code and returns its score in [0, 1] (0 while the fit warms up). */
  update(code: ArrayLike<number>): number {
    const n = this.size;
    if (code.length !== n)
      throw new ShapeMismatchError(`StateNovelty.update: expected a code of ${n}, but got ${code.length} values`);
    for (let j = 0; j < n; j++)
      if (!Number.isFinite(code[j]!))
        throw new NonFiniteError(`StateNovelty.update: expected a finite code, but entry ${j} is ${code[j]}`);
    let value = 0;
    if (this.frozen.count >= Math.max(this.warmup, 1))
      value = this.score.update(this.frozen.squaredDistance(code, 1)[0]!);
    const slot = this.next * n;
    if (this.filled === this.window) {
      this.running.observe(this.delayed.subarray(slot, slot + n), 1);
      this.since += 1;
      if (this.since >= REFRESH || this.frozen.count === 0) {
        this.frozen.copyFrom(this.running);
        this.since = 0;
      }
    } else this.filled += 1;
    for (let j = 0; j < n; j++) this.delayed[slot + j] = code[j]!;
    this.next = (this.next + 1) % this.window;
    return value;
  }

  getState(): StateNoveltyState {
    return {
      running: this.running.getState(),
      frozen: this.frozen.getState(),
      score: this.score.getState(),
      delayed: Array.from(this.delayed),
      next: this.next,
      filled: this.filled,
      since: this.since,
    };
  }

  /** Checks a saved state against this score's size and window; throws CheckpointError naming `path`. */
  checkState(state: unknown, where: string, path: string): StateNoveltyState {
    const keys = ['running', 'frozen', 'score', 'delayed', 'next', 'filled', 'since'];
    const s = stateRecord(where, path, state, keys);
    for (const part of ['running', 'frozen'] as const) {
      try {
        new GaussianPrior(this.size).setState(s[part] as Record<string, unknown>);
      } catch (err) {
        corruptState(where, `${path}.${part}`, 'a Gaussian fit of this size', (err as Error).message);
      }
    }
    const score = this.score.checkState(s.score, where, `${path}.score`);
    const delayed = stateArray(where, `${path}.delayed`, s.delayed, this.window * this.size).map((v, i) =>
      stateNumber(where, `${path}.delayed[${i}]`, v),
    );
    const next = stateInteger(where, `${path}.next`, s.next, 0, this.window - 1);
    const filled = stateInteger(where, `${path}.filled`, s.filled, 0, this.window);
    const since = stateInteger(where, `${path}.since`, s.since, 0, REFRESH);
    return {
      running: s.running as Record<string, unknown>,
      frozen: s.frozen as Record<string, unknown>,
      score,
      delayed,
      next,
      filled,
      since,
    };
  }

  /** Restores a state from `getState` (checked first: a malformed one changes nothing). */
  setState(state: StateNoveltyState): void {
    const s = this.checkState(state, 'StateNovelty.setState', 'the state');
    this.running.setState(s.running);
    this.frozen.setState(s.frozen);
    this.score.setState(s.score);
    this.delayed.set(s.delayed);
    this.next = s.next;
    this.filled = s.filled;
    this.since = s.since;
  }
}
