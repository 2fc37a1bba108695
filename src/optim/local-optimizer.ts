// An optimiser applied to one module's local gradients: it owns a slot matrix or two per
// parameter (momentum, running squares), made on first use, and updates parameters in place
// with its engine's fused step (one kernel per parameter on the fused engine).

import { stateArray, stateFloats, stateInteger, stateRecord, stateString } from '../checkpoint/state-checks.js';
import { CheckpointError, type CheckpointErrorCode } from '../errors.js';
import type { Engine } from '../math/index.js';
import {
  type OptimizerSpec,
  type OptimizerState,
  type ResolvedOptimizerSpec,
  resolveOptimizerSpec,
} from './optimizer.js';

/** A parameter and the gradient of the loss with respect to it (the update goes against it). */
export type GradientPair<M> = readonly [M, M];

export class LocalOptimizer<M> {
  private readonly slots = new Map<M, M[]>();
  private steps = 0;

  constructor(
    private readonly e: Engine<M>,
    readonly spec: ResolvedOptimizerSpec,
  ) {}

  private get slotCount(): number {
    return this.spec.kind === 'adam' ? 2 : this.spec.kind === 'rmsprop' || this.spec.momentum > 0 ? 1 : 0;
  }

  private slotsOf(param: M): M[] {
    let slots = this.slots.get(param);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, () =>
        this.e.parameter(
          new Float32Array(this.e.rows(param) * this.e.cols(param)),
          this.e.rows(param),
          this.e.cols(param),
        ),
      );
      this.slots.set(param, slots);
    }
    return slots;
  }

  /** One update of every parameter from its gradient. */
  apply(pairs: ReadonlyArray<GradientPair<M>>): void {
    this.steps++;
    const { kind, momentum, rho, beta1, beta2, epsilon, decay } = this.spec;
    const learningRate = this.spec.learningRate / (1 + decay * (this.steps - 1));
    const stepSize =
      kind === 'adam' ? (learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps) : 0;
    for (const [param, grad] of pairs) {
      const slots = this.slotsOf(param);
      if (kind === 'sgd') this.e.sgdStep(param, grad, slots[0] ?? null, learningRate, momentum);
      else if (kind === 'rmsprop') this.e.rmspropStep(param, grad, slots[0]!, learningRate, rho, epsilon);
      else this.e.adamStep(param, grad, slots[0]!, slots[1]!, stepSize, beta1, beta2, epsilon);
    }
  }

  /** Slot values for `params` (in that order), for checkpoints. */
  getState(params: readonly M[]): OptimizerState {
    return {
      kind: this.spec.kind,
      steps: this.steps,
      slots: params.map((p) => this.slotsOf(p).map((s) => this.e.read(s))),
    };
  }

  /**
   * Checks a saved state against this optimiser over `params` before anything is written: its
   * kind (another one is ERR_CHECKPOINT_MISMATCH), a step count >= 0, and per parameter as many
   * slots as this rule keeps, each a Float32Array of the parameter's size with finite values.
   * Malformed data is ERR_CHECKPOINT_CORRUPT and NaN or infinities ERR_NON_FINITE; `sizeCode` is
   * the code of slots of other sizes (a mismatch by default: another model's optimiser).
   */
  checkState(
    params: readonly M[],
    state: unknown,
    where = 'LocalOptimizer.setState',
    path = 'the state',
    sizeCode: CheckpointErrorCode = 'ERR_CHECKPOINT_MISMATCH',
  ): OptimizerState {
    const record = stateRecord(where, path, state, ['kind', 'steps', 'slots']);
    const kind = stateString(where, `${path}.kind`, record.kind);
    const steps = stateInteger(where, `${path}.steps`, record.steps);
    const slots = stateArray(where, `${path}.slots`, record.slots);
    const count = this.slotCount;
    if (kind !== this.spec.kind || slots.length !== params.length) {
      throw new CheckpointError(
        kind === this.spec.kind ? sizeCode : 'ERR_CHECKPOINT_MISMATCH',
        `${where}: expected ${params.length} slot sets for a ${this.spec.kind} optimiser, but got ` +
          `${slots.length} for ${kind}`,
      );
    }
    const checked = params.map((p, i) => {
      const saved = stateArray(where, `${path}.slots[${i}]`, slots[i]);
      const size = this.e.rows(p) * this.e.cols(p);
      const sizes = saved.map((s) => (s instanceof Float32Array ? s.length : NaN));
      if (saved.length !== count || sizes.some((n) => n !== size && !Number.isNaN(n))) {
        throw new CheckpointError(
          sizeCode,
          `${where}: expected ${count} slots of size ${size} for parameter ${i}, but got ${saved.length} of ` +
            `sizes [${sizes.join(', ')}]`,
        );
      }
      return saved.map((s, k) => stateFloats(where, `${path}.slots[${i}][${k}]`, s, size));
    });
    return { kind: this.spec.kind, steps, slots: checked };
  }

  /** Restores a state from `getState(params)`; a state it cannot take (see `checkState`) changes nothing. */
  setState(params: readonly M[], state: OptimizerState): void {
    const checked = this.checkState(params, state);
    params.forEach((p, i) => {
      this.slotsOf(p).forEach((slot, k) => {
        const value = this.e.matrix(checked.slots[i]![k]!, this.e.rows(p), this.e.cols(p));
        this.e.assign(slot, value);
        this.e.free(value);
      });
    });
    this.steps = checked.steps;
  }

  dispose(): void {
    for (const slots of this.slots.values()) this.e.free(slots);
    this.slots.clear();
  }
}

export function createOptimizer<M>(
  e: Engine<M>,
  spec: OptimizerSpec = {},
  where = 'createOptimizer',
): LocalOptimizer<M> {
  return new LocalOptimizer(e, resolveOptimizerSpec(spec, where));
}

/** Adds gradients that share a parameter (a target term and a reconstruction term on one encoder). */
export function mergePairs<M>(
  e: Engine<M>,
  a: ReadonlyArray<GradientPair<M>>,
  b: ReadonlyArray<GradientPair<M>>,
): GradientPair<M>[] {
  if (b.length === 0) return [...a];
  const merged = new Map<M, M>();
  for (const [p, g] of [...a, ...b]) merged.set(p, merged.has(p) ? e.add(merged.get(p)!, g) : g);
  return [...merged.entries()];
}
