// The run a viewer shows and steers: its topology, a hot stream of frames, and the controls a
// person may use. The agent pipeline implements it; the viewer only ever talks to this.

import type { Observable } from 'rxjs';
import type { Frame, Topology } from '../src/agent/snapshot.js';

/** Where a run stands, as sent in `hello` and `state` messages. */
export interface RunState {
  /** True while learning is held; `step()` then advances it one step at a time. */
  readonly paused: boolean;
  /** Steps taken so far (the `step` of the latest frame). */
  readonly step: number;
  /** Learning steps per second, averaged over the last second or so; 0 while paused. */
  readonly stepsPerSecond: number;
}

/**
 * A running agent as the viewer sees it.
 *
 * `frames` must be hot: subscribing neither starts nor restarts the run, and the run never
 * waits for a subscriber. The viewer keeps only the latest frame, so a producer may emit as
 * fast as it learns. Frames are read after they are emitted (when a client's turn comes), so
 * a producer must not write into the arrays of a frame it has already emitted.
 */
export interface RunController {
  readonly topology: Topology;
  /** One frame per learning step, as fast as the run goes. */
  readonly frames: Observable<Frame>;
  state(): RunState;
  pause(): void;
  resume(): void;
  /** One learning step while paused; its frame is emitted like any other. */
  step(): void;
  /**
   * Optional: a continuation dreamed from the run's current state (the agent's `dream`), which
   * changes nothing. Runs whose agent cannot dream leave it out, and `dream` requests get an error.
   */
  dream?(request: DreamRequest): DreamView;
  /**
   * Optional: side modalities inferred from the run's last observation, some left out
   * (`infer`) and some set (`clamp`), by the agent's `infer`; changes nothing.
   */
  infer?(request: InferRequest): InferView;
}

export interface InferRequest {
  readonly clamp: Readonly<Record<string, number | readonly number[]>>;
  readonly infer: readonly string[];
  readonly method: 'map' | 'mcmc';
  readonly samples: number;
  readonly seed: number;
}

/** Per sample, each inferred modality: class probabilities (a one-hot draw under MCMC) or values. */
export interface InferView {
  readonly step: number;
  readonly samples: Record<string, number[]>[];
}

export interface DreamRequest {
  readonly steps: number;
  readonly temperature: number;
  readonly seed: number;
}

/** A dreamed continuation: symbols (indices into the input's labels) or vectors, from `step` on. */
export interface DreamView {
  readonly step: number;
  readonly values: (number | number[])[];
}

/** The methods a value must have to be used as a RunController (checked when a viewer starts). */
export const RUN_CONTROLLER_METHODS = ['state', 'pause', 'resume', 'step'] as const;
