// The whole run at a glance for a viewer that joins late: losses, metrics, per-layer summaries,
// anomaly scores and the step rate from the first frame on, in bounded memory. Each point is the
// mean of the frames that fell in it (the largest, for an anomaly score: a peak must not be
// averaged away); when `capacity` points are full, neighbours merge pairwise and the stride (the
// steps a point spans at least) doubles, so a run of any length keeps at most `capacity` points.

import type { Frame } from '../src/agent/snapshot.js';

export const HISTORY_CAPACITY = 2000;
/** Frames closer together than this are not recorded (the run may emit one per step). */
export const HISTORY_MIN_INTERVAL_MS = 4;

/** The history as it travels: one step axis and, per series, a value per point (NaN: none). */
export interface HistoryView {
  /** Steps a point spans at least, now. */
  readonly stride: number;
  /** The step of the last frame in each point, ascending. */
  readonly steps: Float64Array;
  readonly losses: Record<string, Float32Array>;
  readonly metrics: Record<string, Float32Array>;
  readonly layers: Record<string, { readonly reconstructionError: Float32Array; readonly meanAbsCode: Float32Array }>;
  /** Per modality that has one, the largest anomaly score of each point. */
  readonly anomaly: Record<string, Float32Array>;
  readonly stepsPerSecond: Float32Array;
}

function nothing(n: number): Float32Array {
  return new Float32Array(n).fill(Number.NaN);
}

/** Sums (or, for a peak series, largest values) and counts of one series, aligned with the points. */
class Series {
  readonly sums: Float64Array;
  readonly counts: Uint32Array;

  constructor(
    capacity: number,
    private readonly peak = false,
  ) {
    this.sums = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
  }

  add(point: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.peak) this.sums[point] = this.counts[point]! > 0 ? Math.max(this.sums[point]!, value) : value;
    else this.sums[point]! += value;
    this.counts[point]!++;
  }

  /** Merges points 2i and 2i+1 into i, for the first `points` points. */
  halve(points: number): void {
    for (let i = 0; i < points / 2; i++) {
      const [a, b] = [this.sums[2 * i]!, this.sums[2 * i + 1] ?? 0];
      const [ca, cb] = [this.counts[2 * i]!, this.counts[2 * i + 1] ?? 0];
      this.sums[i] = !this.peak ? a + b : ca === 0 ? b : cb === 0 ? a : Math.max(a, b);
      this.counts[i] = ca + cb;
    }
    this.sums.fill(0, Math.ceil(points / 2));
    this.counts.fill(0, Math.ceil(points / 2));
  }

  /** Per point, the mean (the largest value for a peak series), NaN where there is none. */
  means(points: number): Float32Array {
    const out = new Float32Array(points);
    for (let i = 0; i < points; i++) {
      const n = this.counts[i]!;
      out[i] = n === 0 ? Number.NaN : this.peak ? this.sums[i]! : this.sums[i]! / n;
    }
    return out;
  }
}

export class RunHistory {
  private readonly capacity: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly series = new Map<string, Series>();
  private points = 0;
  private stride = 1;
  private lastRecordedAt = Number.NEGATIVE_INFINITY;

  constructor(capacity = HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity % 2 !== 0)
      throw new Error(`RunHistory: expected an even capacity >= 2, but got ${capacity}`);
    this.capacity = capacity;
    this.starts = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
  }

  /** Points held now (at most the capacity). */
  get length(): number {
    return this.points;
  }

  /** Adds a frame; frames within HISTORY_MIN_INTERVAL_MS of the last recorded one are skipped. */
  record(frame: Frame, now = performance.now()): void {
    if (now - this.lastRecordedAt < HISTORY_MIN_INTERVAL_MS) return;
    this.lastRecordedAt = now;
    const step = frame.step;
    const last = this.points - 1;
    // A step behind the last point is a new run or a restored checkpoint: start over.
    if (last >= 0 && step < this.ends[last]!) this.clear();
    let point = this.points - 1;
    if (point < 0 || step >= this.starts[point]! + this.stride) {
      if (this.points === this.capacity) this.halve();
      point = this.points++;
      this.starts[point] = step;
    }
    this.ends[point] = step;
    for (const [name, v] of Object.entries(frame.losses)) this.at(`loss\0${name}`).add(point, v);
    for (const [name, v] of Object.entries(frame.metrics)) this.at(`metric\0${name}`).add(point, v);
    for (const layer of frame.layers) {
      this.at(`error\0${layer.name}`).add(point, layer.reconstructionError);
      let sum = 0;
      for (let i = 0; i < layer.code.length; i++) sum += Math.abs(layer.code[i]!);
      if (layer.code.length > 0) this.at(`activity\0${layer.name}`).add(point, sum / layer.code.length);
    }
    for (const m of frame.modalities)
      if (typeof m.anomaly === 'number') this.at(`anomaly\0${m.name}`, true).add(point, m.anomaly);
    this.at('rate').add(point, frame.stepsPerSecond);
  }

  /** A copy of the history, as sent to clients. */
  view(): HistoryView {
    const n = this.points;
    const losses: Record<string, Float32Array> = {};
    const metrics: Record<string, Float32Array> = {};
    const anomaly: Record<string, Float32Array> = {};
    const layers: Record<string, { reconstructionError: Float32Array; meanAbsCode: Float32Array }> = {};
    const layer = (name: string) => {
      layers[name] ??= { reconstructionError: nothing(n), meanAbsCode: nothing(n) };
      return layers[name];
    };
    let stepsPerSecond = nothing(n);
    for (const [key, s] of this.series) {
      const [kind, name = ''] = key.split('\0');
      if (kind === 'loss') losses[name] = s.means(n);
      else if (kind === 'metric') metrics[name] = s.means(n);
      else if (kind === 'anomaly') anomaly[name] = s.means(n);
      else if (kind === 'error') layer(name).reconstructionError = s.means(n);
      else if (kind === 'activity') layer(name).meanAbsCode = s.means(n);
      else if (kind === 'rate') stepsPerSecond = s.means(n);
    }
    return { stride: this.stride, steps: this.ends.slice(0, n), losses, metrics, layers, anomaly, stepsPerSecond };
  }

  clear(): void {
    this.points = 0;
    this.stride = 1;
    this.series.clear();
  }

  private at(key: string, peak = false): Series {
    let s = this.series.get(key);
    if (s === undefined) {
      s = new Series(this.capacity, peak);
      this.series.set(key, s);
    }
    return s;
  }

  /** Merges neighbouring points; the new stride makes new points as wide as the merged ones. */
  private halve(): void {
    const n = this.points;
    for (let i = 0; i < n / 2; i++) {
      this.starts[i] = this.starts[2 * i]!;
      this.ends[i] = this.ends[2 * i + 1]!;
    }
    for (const s of this.series.values()) s.halve(n);
    this.points = n / 2;
    const span = this.ends[this.points - 1]! - this.starts[0]!;
    this.stride = Math.max(this.stride * 2, Math.ceil(span / this.points));
  }
}
