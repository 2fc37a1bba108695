// The shared machinery of optimisers with per-parameter slots: lazily created zero slots,
// saving and restoring them in a caller-given order, and disposing them.

import { type Tensor, type Variable, variable, zerosLike, tensor } from '../math/index.js';
import { CheckpointError } from '../errors.js';
import type { GradientPair, Optimizer, OptimizerState, ResolvedOptimizerSpec } from './optimizer.js';

export abstract class SlottedOptimizer implements Optimizer {
  protected readonly slots = new Map<Variable, Variable[]>();
  protected steps = 0;

  constructor(
    readonly spec: ResolvedOptimizerSpec,
    private readonly slotCount: number,
  ) {}

  apply(pairs: readonly GradientPair[]): void {
    this.steps++;
    for (const [param, grad] of pairs) this.update(param, grad, this.slotsOf(param));
  }

  /** Updates one parameter in place (with `assign`); runs inside the caller's tidy. */
  protected abstract update(param: Variable, grad: Tensor, slots: Variable[]): void;

  private slotsOf(param: Variable): Variable[] {
    let slots = this.slots.get(param);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, () => variable(zerosLike(param), false));
      this.slots.set(param, slots);
    }
    return slots;
  }

  getState(params: readonly Variable[]): OptimizerState {
    return {
      kind: this.spec.kind,
      steps: this.steps,
      slots: params.map((p) => this.slotsOf(p).map((s) => s.dataSync() as Float32Array)),
    };
  }

  setState(params: readonly Variable[], state: OptimizerState): void {
    if (state.kind !== this.spec.kind || state.slots.length !== params.length) {
      throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${this.constructor.name}.setState: expected ${params.length} slot sets for a ${this.spec.kind} optimiser, but got ${state.slots.length} for ${state.kind}`);
    }
    params.forEach((p, i) => {
      const saved = state.slots[i]!;
      const slots = this.slotsOf(p);
      if (saved.length !== slots.length || saved.some((s) => s.length !== p.size)) {
        throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${this.constructor.name}.setState: expected slots of size ${p.size}, but got a mismatch for parameter ${i}`);
      }
      slots.forEach((slot, k) => {
        const t = tensor(saved[k]!, p.shape);
        slot.assign(t);
        t.dispose();
      });
    });
    this.steps = state.steps;
  }

  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}
