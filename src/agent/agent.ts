// The agent contract, after River's learn_one/predict_one and Gymnasium's agents: an agent sees
// one transition at a time, scores the predictions it made before the transition arrived
// (prequential evaluation), learns from it, and predicts what comes next. Everything that
// crosses this boundary is plain data.

import type { Info } from '../environment/environment.js';
import type { Frame, Topology } from './snapshot.js';
import type { Space, SpaceValue } from '../environment/space.js';

/** One observation arriving from a source, with Gymnasium's flags. */
export interface Transition {
  /** Index of this observation in the run (0 for the first). */
  readonly step: number;
  /** Index of the episode it belongs to. */
  readonly episode: number;
  readonly observation: SpaceValue;
  /** Reward for the action that led here (0 on the first observation of an episode). */
  readonly reward: number;
  /** The episode reached an end state with this observation. */
  readonly terminated: boolean;
  /** The episode was cut short from outside with this observation (a time limit). */
  readonly truncated: boolean;
  readonly info: Info;
  /** This is the first observation of its episode (it came from `reset`). */
  readonly first: boolean;
}

/** A prediction of one modality, made before its value arrived. */
export interface ModalityPrediction {
  readonly name: string;
  readonly kind: 'categorical' | 'continuous';
  /** Class probabilities or predicted values. */
  readonly values: Float32Array;
}

/** What `observe` reports: the predictions that were standing when the transition arrived, scored. */
export interface Outcome {
  readonly step: number;
  /** Per modality that arrived: the prediction made before it and the value that came (flat). */
  readonly scored: ReadonlyArray<{
    readonly name: string;
    readonly prediction: Float32Array;
    readonly actual: Float32Array;
  }>;
  /** This step's scores by metric name (e.g. accuracy 0 or 1, logLoss, squaredError, legal). */
  readonly scores: Readonly<Record<string, number>>;
  /**
   * Per modality scored at this step, its calibrated anomaly score in [0, 1] (AnomalyScore: the
   * tail probability of the recent mean error under the history's); absent where an agent keeps none.
   */
  readonly anomaly?: Readonly<Record<string, number>>;
}

/** An agent's full state as plain data (weights, optimiser slots, generator, window, counters). */
export interface AgentState {
  readonly kind: string;
  readonly version: number;
  readonly options: unknown;
  readonly data: Record<string, unknown>;
}

export interface Agent {
  /** Agent kind, e.g. 'predictive'. */
  readonly kind: string;
  readonly observationSpace: Space;
  /** Space of the actions it takes, or null for an agent that only observes. */
  readonly actionSpace: Space | null;
  readonly topology: Topology;
  /** Prequential step: score the standing predictions against `transition`, learn, predict anew. */
  observe(transition: Transition): Outcome;
  /** The standing predictions, of the next observation and of any modality still missing. */
  predict(): ModalityPrediction[];
  /** The action to take now (agents with an action space only). */
  act?(): SpaceValue;
  /** Forgets the recurrent context (a new episode); keeps the weights. */
  reset(): void;
  /** Running prequential metrics by name. */
  metrics(): Record<string, number>;
  /** A frame for viewers: per layer code, target and reconstruction; per modality prediction and actual. */
  snapshot(): Frame;
  getState(): AgentState;
  /** Restores a state from `getState`; a mismatch is a CheckpointError and leaves the agent as it was. */
  setState(state: AgentState): void;
  dispose(): void;
}
