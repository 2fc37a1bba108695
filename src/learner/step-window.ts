// The sliding window of the last K steps of a recurrent stack: per step the inputs each layer
// read, the codes it passed on (and the means drawn codes came from), the episode-continuation
// mask and the side information (whose `next` part arrives one step later). It owns those
// matrices: they are kept when pushed and freed when the step slides out of the window.

import type { Engine } from '../math/index.js';
import type { SideBatch } from './side-batch.js';
import type { WindowStep } from './through-time.js';

export interface StepRecord<M> extends WindowStep<M> {
  /** The stack's step count when this step was taken. */
  readonly index: number;
  readonly side: SideBatch;
  /** The side information is final (the next input came, or none will). */
  complete: boolean;
  /** A learning pass has used this step's top target. */
  learned: boolean;
  /** Per layer: the mean its code was drawn around, for layers whose codes are drawn (else null). */
  readonly means: readonly (M | null)[];
}

export class StepWindow<M> {
  private readonly steps: StepRecord<M>[] = [];
  private readonly zeros: M[];

  constructor(
    private readonly e: Engine<M>,
    readonly capacity: number,
    layerSizes: readonly number[],
    streams: number,
  ) {
    this.zeros = layerSizes.map((n) => e.keep(e.zeros(streams, n)));
  }

  /** The context layer `l` reads next: its newest code, or zeros before the first step. */
  context(l: number): M {
    return this.newest()?.codes[l] ?? this.zeros[l]!;
  }

  newest(): StepRecord<M> | undefined {
    return this.steps[this.steps.length - 1];
  }

  /** Steps oldest first. */
  records(): StepRecord<M>[] {
    return this.steps;
  }

  /** Completed steps not yet learned from. */
  unlearned(): number {
    let n = 0;
    for (const s of this.steps) if (s.complete && !s.learned) n++;
    return n;
  }

  push(step: StepRecord<M>): void {
    for (const m of matricesOf(step)) this.e.keep(m);
    this.steps.push(step);
    while (this.steps.length > this.capacity) this.free(this.steps.shift()!);
  }

  /**
   * Gives the newest step its `next` side information (the last modality): `input`'s row for
   * each stream that continues, nothing for a stream whose episode starts anew. It is complete.
   */
  attachNext(input: Float32Array, continues: Float32Array, size: number, ignore?: ArrayLike<boolean>): void {
    const last = this.newest();
    if (!last || last.complete) return;
    const k = last.side.values.length - 1;
    for (let r = 0; r < continues.length; r++) {
      if (continues[r] === 0 || ignore?.[r]) continue;
      last.side.values[k]!.set(input.subarray(r * size, (r + 1) * size), r * size);
      last.side.present[k]![r] = 1;
    }
    last.complete = true;
  }

  /** The step taken as number `index`, if it is still in the window. */
  find(index: number): StepRecord<M> | undefined {
    return this.steps.find((s) => s.index === index);
  }

  /** Marks every step complete (the episode ended: no next input will come). */
  completeAll(): void {
    for (const s of this.steps) s.complete = true;
  }

  /** Forgets every step (their matrices are freed). */
  clear(): void {
    while (this.steps.length) this.free(this.steps.shift()!);
  }

  private free(step: StepRecord<M>): void {
    this.e.free([...matricesOf(step)]);
  }

  dispose(): void {
    this.clear();
    this.e.free(this.zeros);
  }
}

/** Every matrix a step holds, each once (a layer's input below is the code of the layer under it). */
function matricesOf<M>(step: StepRecord<M>): Set<M> {
  const all = new Set<M>([step.continues, ...step.codes]);
  for (const mean of step.means) if (mean) all.add(mean);
  for (const [below, context] of step.inputs) {
    all.add(below);
    all.add(context);
  }
  return all;
}
