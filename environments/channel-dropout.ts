// ChannelDropout-v0: two continuous channels of one moving point, the second of which drops
// out for stretches: a point circling the origin at a steady period, its radius drifting, each
// channel with noise. The first channel is always there (the input, under "observation"); the
// second ("partner", an optional key) is missing while it is dropped, and `info.partner` keeps
// its value for scoring. Its running mean knows nothing of the phase; a learner that tracks the
// phase from the first channel's history infers the second down to the noise.

import { dict, box } from '../src/environment/space.js';
import type { DictSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { InvalidOptionError } from '../src/errors.js';
import { environmentOptions, integerOption, numberOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateBoolean, stateInteger, stateNumber } from '../src/checkpoint/state-checks.js';

export interface ChannelDropoutOptions {
  /** Steps per turn (>= 4). Default 24. */
  period?: number;
  /** Standard deviation of the noise on each channel. Default 0.03. */
  noise?: number;
  /** Probability per step that the partner drops out, while it is there. Default 0.01. */
  dropProbability?: number;
  /** Mean length of a dropout in steps (geometric, >= 1). Default 40. */
  dropLength?: number;
  /** Observations per episode (the reset observation included); then `truncated`. Default 2000. */
  length?: number;
}

export const CHANNEL_DROPOUT_DEFAULTS: Readonly<Required<ChannelDropoutOptions>> = Object.freeze({
  period: 24,
  noise: 0.03,
  dropProbability: 0.01,
  dropLength: 40,
  length: 2000,
});

const RADIUS_MEAN = 0.65;

/**
 * θ_{t+1} = θ_t + 2π/P, r_{t+1} = r_t + 0.02 (0.65 − r_t) + 0.02 N(0, 1) (kept in [0.3, 1]);
 * observation = r cos θ + noise, partner = r sin θ + noise. A dropout starts with probability
 * `dropProbability` per step and ends with probability 1/`dropLength`. `info`: `partner` (its
 * value, missing or not), `dropped`, `t`.
 */
export class ChannelDropout extends SequenceEnvironment<Record<string, Float32Array>> {
  readonly observationSpace: DictSpace = dict({ observation: box(1, -1.5, 1.5), partner: box(1, -1.5, 1.5) }, [
    'partner',
  ]);
  readonly period: number;
  readonly noise: number;
  readonly dropProbability: number;
  readonly dropLength: number;
  readonly length: number;
  private angle = 0;
  private radius = RADIUS_MEAN;
  private dropped = false;
  private t = 0;

  constructor(options: ChannelDropoutOptions = {}) {
    super('ChannelDropout');
    const o = environmentOptions('ChannelDropout', options, CHANNEL_DROPOUT_DEFAULTS);
    this.period = numberOption('ChannelDropout', 'period', o.period, 4);
    this.noise = numberOption('ChannelDropout', 'noise', o.noise, 0);
    this.dropProbability = numberOption('ChannelDropout', 'dropProbability', o.dropProbability, 0);
    if (this.dropProbability > 1)
      throw new InvalidOptionError(
        `ChannelDropout: expected option "dropProbability" to be at most 1, but got ${this.dropProbability}`,
      );
    this.dropLength = numberOption('ChannelDropout', 'dropLength', o.dropLength, 1);
    this.length = integerOption('ChannelDropout', 'length', o.length, 2);
  }

  protected begin(rng: Rng): Emission<Record<string, Float32Array>> {
    this.angle = 2 * Math.PI * rng.float();
    this.radius = RADIUS_MEAN;
    this.dropped = false;
    this.t = 0;
    return this.emit(rng, false);
  }

  protected advance(rng: Rng): Emission<Record<string, Float32Array>> {
    this.angle = (this.angle + (2 * Math.PI) / this.period) % (2 * Math.PI);
    const drift = this.radius + 0.02 * (RADIUS_MEAN - this.radius) + 0.02 * rng.normal();
    this.radius = Math.max(0.3, Math.min(1, drift));
    this.dropped = this.dropped ? rng.float() >= 1 / this.dropLength : rng.float() < this.dropProbability;
    this.t += 1;
    return this.emit(rng, this.t === this.length - 1);
  }

  private emit(rng: Rng, truncated: boolean): Emission<Record<string, Float32Array>> {
    const n = (): number => (this.noise > 0 ? this.noise * rng.normal() : 0);
    const clip = (v: number): number => Math.max(-1.5, Math.min(1.5, v));
    const a = Float32Array.of(clip(this.radius * Math.cos(this.angle) + n()));
    const b = Float32Array.of(clip(this.radius * Math.sin(this.angle) + n()));
    const observation: Record<string, Float32Array> = this.dropped
      ? { observation: a }
      : { observation: a, partner: b };
    return { observation, info: { partner: b[0], dropped: this.dropped, t: this.t }, truncated };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { angle: this.angle, radius: this.radius, dropped: this.dropped, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const angle = stateNumber(where, 'episode.angle', episode.angle);
    const radius = stateNumber(where, 'episode.radius', episode.radius);
    const dropped = stateBoolean(where, 'episode.dropped', episode.dropped);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.angle = angle;
      this.radius = radius;
      this.dropped = dropped;
      this.t = t;
    };
  }
}
