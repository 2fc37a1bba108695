// What one client wants to see and how often, and the projection of a run's frame onto it.
// Projection copies references, never arrays: the typed arrays go to the encoder as they are.

import type { ActingFrame, Frame } from '../src/agent/snapshot.js';
import {
  PARTS,
  clampRate,
  type FrameMessage,
  type Part,
  type SubscribeMessage,
  type SubscriptionView,
} from './protocol.js';

export class Subscription {
  private parts: ReadonlySet<Part> = new Set(PARTS);
  private layers: ReadonlySet<string> | null = null;
  private modalities: ReadonlySet<string> | null = null;
  private frameRate: number;

  constructor(rate: number) {
    this.frameRate = clampRate(rate);
  }

  /** Frames per second, already clamped into [MIN_RATE, MAX_RATE]. */
  get rate(): number {
    return this.frameRate;
  }

  set rate(value: number) {
    this.frameRate = clampRate(value);
  }

  /** Applies a validated `subscribe`: fields it leaves out keep their current values. */
  update(request: SubscribeMessage): void {
    if (request.parts !== undefined) this.parts = new Set(request.parts);
    if (request.layers !== undefined) this.layers = request.layers === null ? null : new Set(request.layers);
    if (request.modalities !== undefined)
      this.modalities = request.modalities === null ? null : new Set(request.modalities);
    if (request.rate !== undefined) this.rate = request.rate;
  }

  /** The subscription as it travels in `hello` and `ack` messages. */
  view(): SubscriptionView {
    return {
      parts: PARTS.filter((p) => this.parts.has(p)),
      layers: this.layers === null ? null : [...this.layers],
      modalities: this.modalities === null ? null : [...this.modalities],
      rate: this.frameRate,
    };
  }

  /** The `frame` message this client gets for `frame`; parts it did not ask for are absent. */
  project(frame: Frame, dropped: number): FrameMessage {
    const { layers, modalities } = this;
    const recent = this.parts.has('recent');
    return {
      type: 'frame',
      step: frame.step,
      episode: frame.episode,
      ...(this.parts.has('layers') && {
        layers: frame.layers
          .filter((l) => layers === null || layers.has(l.name))
          .map((l) => ({
            name: l.name,
            code: l.code,
            target: l.target,
            targetStep: l.targetStep,
            input: l.input,
            reconstruction: l.reconstruction,
            reconstructionError: l.reconstructionError,
            ...(recent && { recentCodes: l.recentCodes, recentFrom: l.recentFrom }),
          })),
      }),
      ...(this.parts.has('modalities') && {
        modalities: frame.modalities
          .filter((m) => modalities === null || modalities.has(m.name))
          .map((m) => ({
            name: m.name,
            scored: m.scored,
            actual: m.actual,
            forecast: m.forecast,
            lastScored: m.lastScored,
            anomaly: m.anomaly ?? null,
          })),
      }),
      ...(this.parts.has('losses') && { losses: { ...frame.losses } }),
      ...(this.parts.has('metrics') && { metrics: { ...frame.metrics } }),
      ...(this.parts.has('metrics') && frame.acting && { acting: actingMessage(frame.acting) }),
      stepsPerSecond: frame.stepsPerSecond,
      dropped,
    };
  }
}

/** The documented fields only: an agent's record may hold more (checkpoint state is not viewer data). */
function actingMessage(a: ActingFrame): ActingFrame {
  return {
    probabilities: a.probabilities,
    action: a.action,
    step: a.step,
    reward: a.reward,
    episodeReturn: a.episodeReturn,
    lastEpisodeReturn: a.lastEpisodeReturn,
    commanded: a.commanded,
    achieved: a.achieved,
  };
}
