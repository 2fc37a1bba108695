// InjectedAnomalies-v0: a multichannel sensor-like stream (each channel two sines and noise) into
// which anomalies are injected at random times, labelled in `info`: single-step spikes, level
// shifts, changes of a channel's frequency, and long plateaus (a channel stuck at the value it had,
// as a frozen sensor). A detector is judged on every step: `info.anomaly` is true on each step of
// an event. After an event ends no other starts for `gap` steps.

import { box } from '../src/environment/space.js';
import type { BoxSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { corruptState, stateArray, stateInteger, stateNumber } from '../src/checkpoint/state-checks.js';
import { environmentOptions, integerOption, numberOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';

export type AnomalyKind = 'spike' | 'level-shift' | 'frequency' | 'plateau';
export const ANOMALY_KINDS: readonly AnomalyKind[] = Object.freeze(['spike', 'level-shift', 'frequency', 'plateau']);

export interface InjectedAnomaliesOptions {
  /** Channels, 1 to 8. Default 3. */
  channels?: number;
  /** Probability per step of an event starting (outside events and their gaps). Default 0.004. */
  rate?: number;
  /** Steps after an event during which none starts. Default 100. */
  gap?: number;
  /** Standard deviation of the noise on each channel. Default 0.05. */
  noise?: number;
  /** Observations per episode (the reset observation included); then `truncated`. Default 20000. */
  length?: number;
}

export const INJECTED_ANOMALIES_DEFAULTS: Readonly<Required<InjectedAnomaliesOptions>> = Object.freeze({
  channels: 3,
  rate: 0.004,
  gap: 100,
  noise: 0.05,
  length: 20000,
});

/** Periods (steps) of each channel's two sines, cycled through for more channels. */
const SLOW = [20, 31, 46, 27, 38, 53, 24, 35];
const FAST = [7, 9, 11, 5, 13, 8, 6, 10];

/** A running event: its kind, channel, steps left and its size (offset, frequency factor or held value). */
interface Event {
  kind: AnomalyKind;
  channel: number;
  left: number;
  size: number;
}

/**
 * x_c = 0.6 sin θ_c + 0.3 sin φ_c + noise, θ_c and φ_c advancing by 2π/P_c and 2π/Q_c per step
 * (times a frequency event's factor, 0.5 or 2, for 50–150 steps). Events, by share: spikes 0.4
 * (one step, ±1 to ±2 added), level shifts 0.25 (±0.4 to ±0.8 for 30–100 steps), frequency
 * changes 0.25, plateaus 0.1 (the channel holds its last value for 300–600 steps). `info` carries
 * `anomaly` (boolean), `kind` (the running event's, or null) and `t`, the index in the episode.
 */
export class InjectedAnomalies extends SequenceEnvironment<Float32Array> {
  readonly observationSpace: BoxSpace;
  readonly channels: number;
  readonly rate: number;
  readonly gap: number;
  readonly noise: number;
  readonly length: number;
  private slow: number[] = [];
  private fast: number[] = [];
  private last: number[] = [];
  private event: Event | null = null;
  private cooldown = 0;
  private t = 0;

  constructor(options: InjectedAnomaliesOptions = {}) {
    super('InjectedAnomalies');
    const o = environmentOptions('InjectedAnomalies', options, INJECTED_ANOMALIES_DEFAULTS);
    this.channels = integerOption('InjectedAnomalies', 'channels', o.channels, 1, 8);
    this.rate = numberOption('InjectedAnomalies', 'rate', o.rate, 0);
    this.gap = integerOption('InjectedAnomalies', 'gap', o.gap, 0);
    this.noise = numberOption('InjectedAnomalies', 'noise', o.noise, 0);
    this.length = integerOption('InjectedAnomalies', 'length', o.length, 2);
    this.observationSpace = box(this.channels, -3, 3);
  }

  protected begin(rng: Rng): Emission<Float32Array> {
    const C = this.channels;
    this.slow = Array.from({ length: C }, () => 2 * Math.PI * rng.float());
    this.fast = Array.from({ length: C }, () => 2 * Math.PI * rng.float());
    this.last = new Array<number>(C).fill(0);
    this.event = null;
    this.cooldown = this.gap;
    this.t = 0;
    return { observation: this.sample(rng), info: { anomaly: false, kind: null, t: 0 } };
  }

  protected advance(rng: Rng): Emission<Float32Array> {
    this.t += 1;
    if (this.event && this.event.left <= 0) {
      this.event = null;
      this.cooldown = this.gap;
    }
    if (!this.event && this.cooldown > 0) this.cooldown--;
    else if (!this.event && rng.float() < this.rate) this.event = this.draw(rng);
    const factor = this.event?.kind === 'frequency' ? this.event.size : 1;
    for (let c = 0; c < this.channels; c++) {
      const f = this.event?.channel === c ? factor : 1;
      this.slow[c] = (this.slow[c]! + (2 * Math.PI * f) / SLOW[c]!) % (2 * Math.PI);
      this.fast[c] = (this.fast[c]! + (2 * Math.PI * f) / FAST[c]!) % (2 * Math.PI);
    }
    const observation = this.sample(rng);
    const kind = this.event?.kind ?? null;
    if (this.event) this.event.left--;
    return {
      observation,
      info: { anomaly: kind !== null, kind, t: this.t },
      truncated: this.t === this.length - 1,
    };
  }

  private draw(rng: Rng): Event {
    const u = rng.float();
    const channel = rng.int(this.channels);
    const sign = rng.float() < 0.5 ? -1 : 1;
    const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
    if (u < 0.4) return { kind: 'spike', channel, left: 1, size: sign * (1 + rng.float()) };
    if (u < 0.65)
      return { kind: 'level-shift', channel, left: between(30, 100), size: sign * (0.4 + 0.4 * rng.float()) };
    if (u < 0.9) return { kind: 'frequency', channel, left: between(50, 150), size: rng.float() < 0.5 ? 0.5 : 2 };
    return { kind: 'plateau', channel, left: between(300, 600), size: this.last[channel]! };
  }

  private sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.channels);
    const e = this.event;
    for (let c = 0; c < this.channels; c++) {
      let v = 0.6 * Math.sin(this.slow[c]!) + 0.3 * Math.sin(this.fast[c]!);
      if (this.noise > 0) v += this.noise * rng.normal();
      if (e?.channel === c && (e.kind === 'spike' || e.kind === 'level-shift')) v += e.size;
      if (e?.channel === c && e.kind === 'plateau') v = e.size;
      out[c] = Math.max(-3, Math.min(3, v));
      this.last[c] = out[c]!;
    }
    return out;
  }

  protected override saveEpisode(): Record<string, unknown> {
    return {
      slow: [...this.slow],
      fast: [...this.fast],
      last: [...this.last],
      event: this.event ? { ...this.event } : null,
      cooldown: this.cooldown,
      t: this.t,
    };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const C = this.channels;
    const numbers = (name: string): number[] =>
      stateArray(where, `episode.${name}`, episode[name], C).map((v, c) =>
        stateNumber(where, `episode.${name}[${c}]`, v),
      );
    const slow = numbers('slow');
    const fast = numbers('fast');
    const last = numbers('last');
    let event: Event | null = null;
    if (episode.event !== null) {
      const raw = episode.event as Record<string, unknown> | undefined;
      if (typeof raw !== 'object' || raw === null || !ANOMALY_KINDS.includes(raw.kind as AnomalyKind))
        corruptState(where, 'episode.event', 'null or an event of a known kind', raw);
      event = {
        kind: raw.kind as AnomalyKind,
        channel: stateInteger(where, 'episode.event.channel', raw.channel, 0, C - 1),
        left: stateInteger(where, 'episode.event.left', raw.left, 0),
        size: stateNumber(where, 'episode.event.size', raw.size),
      };
    }
    const cooldown = stateInteger(where, 'episode.cooldown', episode.cooldown, 0, this.gap);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.slow = slow;
      this.fast = fast;
      this.last = last;
      this.event = event;
      this.cooldown = cooldown;
      this.t = t;
    };
  }
}
