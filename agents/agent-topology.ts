// What a predictive agent tells a viewer: the labels of its modalities, the losses and metrics its
// frames will carry, each explained in one line with its range and chance level, and a ring of
// the recent codes of each layer so that a viewer can draw them over time.

import type { SeriesInfo } from '../src/agent/snapshot.js';
import type { Space } from '../src/environment/space.js';
import type { ModalitySpec } from '../src/learner/modality.js';

/** The names of a modality's classes, when its space gives them. */
export function modalityLabels(space: Space, inputName: string, name: string): readonly string[] | undefined {
  const key = name === 'next' ? inputName : name;
  const sub = space.kind === 'dict' ? space.spaces[key] : space;
  return sub?.kind === 'discrete' && sub.labels ? [...sub.labels] : undefined;
}

/** The metric names a modality may produce, and whether frames are sure to carry each (given its values come). */
export function metricNames(m: ModalitySpec, late: boolean): { name: string; certain: boolean }[] {
  const next = m.name === 'next';
  const names =
    m.kind === 'categorical'
      ? [
          { name: 'accuracy', certain: true },
          { name: 'logLoss', certain: true },
          // These need the environment's info (legalNext, critical), which not every one gives.
          ...(next ? [{ name: 'legal', certain: false }] : []),
          ...(next ? [{ name: 'critical', certain: false }] : []),
          ...(late ? [{ name: 'lateAccuracy', certain: false }] : []),
        ]
      : [{ name: 'squaredError', certain: true }, ...(late ? [{ name: 'lateSquaredError', certain: false }] : [])];
  return names.map((n) => ({ name: `${m.name}/${n.name}`, certain: n.certain }));
}

/** One line per metric a modality may produce: prequential, over the last `window` scored steps. */
export function metricInfo(m: ModalitySpec, window: number): Record<string, SeriesInfo> {
  const what = m.name === 'next' ? 'the next input' : `"${m.name}"`;
  const mean = `mean of the last ${window} scored steps`;
  const n = m.size;
  const name = (metric: string) => `${m.name}/${metric}`;
  if (m.kind === 'continuous') {
    return {
      [name('squaredError')]: {
        definition: `Squared error of the prediction of ${what} made before it came, summed over ${n} values (${mean})`,
      },
      [name('lateSquaredError')]: {
        definition: `Squared error of the prediction of ${what} made at the step a late value is for (${mean})`,
      },
    };
  }
  const accuracy = { range: [0, 1] as const, chance: 1 / n };
  return {
    [name('accuracy')]: {
      definition: `Share of steps whose most likely class of ${what}, predicted before it came, was right (${mean})`,
      ...accuracy,
    },
    [name('logLoss')]: {
      definition: `−ln of the probability predicted for the class of ${what} that came, in nats (${mean})`,
      chance: Math.log(n),
    },
    [name('legal')]: {
      definition: `Share of steps whose most likely next symbol is allowed next by info.legalNext (${mean})`,
      range: [0, 1],
    },
    [name('critical')]: {
      definition:
        `Accuracy on the steps marked info.critical (the long-range dependency), last ${window} of them; ` +
        'chance is one over the symbols that may come there (0.5 in EmbeddedReber-v0)',
      range: [0, 1],
    },
    [name('lateAccuracy')]: {
      definition: `Accuracy of the prediction made at the step a late label is for, scored when it came (${mean})`,
      ...accuracy,
    },
  };
}

/** Counters of a supervised agent's late side information. */
export const LATE_INFO: Readonly<Record<string, SeriesInfo>> = Object.freeze({
  'late/attached': { definition: 'Late labels that reached their step while it was in the window (a count)' },
  'late/expired': { definition: 'Late labels that came after their step left the window, never learned (a count)' },
});

/** The local losses of a recurrent stack of `layers` layers, as frames name them. */
export function lossInfo(layers: number, top: boolean, readout: boolean): Record<string, SeriesInfo> {
  const out: Record<string, SeriesInfo> = {};
  for (let i = 1; i <= layers; i++) {
    out[`encoder${i}`] = {
      definition: `Layer ${i}'s encoder loss, ½‖code − target‖², over the steps of the last learning pass`,
    };
    out[`reconstruction${i}`] = {
      definition: `Layer ${i}'s denoising loss: its decoders rebuilding the clean input from a corrupted one`,
    };
  }
  if (top) out.top = { definition: 'The top auto-encoder rebuilding the top code and the side modalities, last pass' };
  if (readout)
    out.readout = {
      definition: 'The readout from the top code: cross-entropy (classes) or squared error (values), last pass',
    };
  return out;
}

/** The codes of every layer over the last `capacity` steps, one row per step. */
export class RecentCodes {
  private readonly rings: Float32Array[];
  private count = 0;
  private next = 0;
  private newestStep = 0;

  constructor(
    private readonly sizes: readonly number[],
    readonly capacity: number,
  ) {
    this.rings = sizes.map((size) => new Float32Array(size * capacity));
  }

  /** Records the codes of frame step `step`; a step that does not follow the last starts over. */
  push(codes: readonly Float32Array[], step: number): void {
    if (this.count > 0 && step !== this.newestStep + 1) this.clear();
    codes.forEach((code, l) => this.rings[l]!.set(code.subarray(0, this.sizes[l]), this.next * this.sizes[l]!));
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    this.newestStep = step;
  }

  /** Layer `l`'s recent codes oldest first, as a fresh array, and the step of the first. */
  read(l: number): { codes: Float32Array; from: number } {
    const size = this.sizes[l]!;
    const ring = this.rings[l]!;
    const out = new Float32Array(this.count * size);
    const start = (this.next - this.count + this.capacity) % this.capacity;
    const head = Math.min(this.count, this.capacity - start);
    out.set(ring.subarray(start * size, (start + head) * size), 0);
    out.set(ring.subarray(0, (this.count - head) * size), head * size);
    return { codes: out, from: this.newestStep - this.count + 1 };
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/** Steps kept per layer: up to 256, fewer for wide layers so that a frame stays small (≤ 64 KiB a layer). */
export function recentCapacity(sizes: readonly number[]): number {
  const widest = Math.max(1, ...sizes);
  return Math.max(16, Math.min(256, Math.floor(16_384 / widest)));
}
