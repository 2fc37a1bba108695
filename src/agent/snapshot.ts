// Plain-data views of a running agent, for viewers, logs and tests: its topology once, then a
// frame per step. Only numbers, strings and Float32Arrays: nothing here holds a tensor.

/** What a viewer needs to lay out its views, sent once when it connects. */
export interface Topology {
  /** Agent kind, e.g. 'predictive'. */
  readonly agent: string;
  /** Environment id or a description of the source. */
  readonly environment: string;
  /** Layers bottom to top; `size` is the code width. */
  readonly layers: ReadonlyArray<{ readonly name: string; readonly size: number; readonly units: string }>;
  /** Every modality the agent predicts or reads, with its kind and width. */
  readonly modalities: ReadonlyArray<{
    readonly name: string;
    readonly kind: 'categorical' | 'continuous';
    readonly size: number;
    readonly labels?: readonly string[];
  }>;
  /**
   * Names of the losses and metrics that frames carry (each from its first value on). A metric that
   * needs something only the environment can give (`next/legal` needs `info.legalNext`) is not
   * listed here: a viewer adds it when a frame first carries it.
   */
  readonly losses: readonly string[];
  readonly metrics: readonly string[];
  /** What each loss and metric means, by name, for every name the agent may produce. */
  readonly about?: {
    readonly losses: Readonly<Record<string, SeriesInfo>>;
    readonly metrics: Readonly<Record<string, SeriesInfo>>;
  };
}

/** A loss or metric explained, as plain data a viewer can draw with. */
export interface SeriesInfo {
  /** One line: what the number is, and which way is better. */
  readonly definition: string;
  /** The interval the value lives in, when it has one, e.g. [0, 1] for an accuracy. */
  readonly range?: readonly [number, number];
  /** What a uniform guess scores (1/n for an accuracy over n classes, ln n for a log loss). */
  readonly chance?: number;
}

export interface LayerFrame {
  readonly name: string;
  /** The layer's code at this step. */
  readonly code: Float32Array;
  /**
   * The target of the last learning pass (null before any): it belongs to the step `targetStep`,
   * which lags `step` whenever the newest steps wait for their next input or for `updateEvery`.
   */
  readonly target: Float32Array | null;
  /** The frame step whose code `target` is for, or null with it. */
  readonly targetStep: number | null;
  /** The input from below that the layer reads at this step (the observation, for the bottom layer). */
  readonly input: Float32Array;
  /** The decoder's reconstruction of that input from the code. */
  readonly reconstruction: Float32Array;
  /** Mean squared error of that reconstruction. */
  readonly reconstructionError: number;
  /** The codes of the recent steps, oldest first, `size` values per step (empty when not kept). */
  readonly recentCodes: Float32Array;
  /** The step of the first code in `recentCodes`. */
  readonly recentFrom: number;
}

export interface ModalityFrame {
  readonly name: string;
  /** The prediction scored at this step against `actual`, made before it came; null when none was. */
  readonly scored: Float32Array | null;
  /** The value that came at this step (one-hot for categorical), or null while the modality is absent. */
  readonly actual: Float32Array | null;
  /**
   * The standing prediction after this step: for `next`, of the next step's input; for a side
   * modality, of its value at this step if it has not come (a label that may come late).
   */
  readonly forecast: Float32Array;
  /** The latest scoring of this modality, at this step or before (a label may come once a sequence). */
  readonly lastScored: ScoredValue | null;
  /** The largest anomaly score (Outcome.anomaly) since the previous frame, or null when none came. */
  readonly anomaly?: number | null;
}

/** A prediction and the value it was scored against, at the frame step `step`. */
export interface ScoredValue {
  readonly step: number;
  readonly scored: Float32Array;
  readonly actual: Float32Array;
}

/** One step of a run. */
export interface Frame {
  /** Steps taken so far: the newest code is that of the `step`-th observation. */
  readonly step: number;
  readonly episode: number;
  readonly layers: readonly LayerFrame[];
  readonly modalities: readonly ModalityFrame[];
  /** Local losses by name (encoder, reconstruction, top). */
  readonly losses: Readonly<Record<string, number>>;
  /** Prequential metrics by name. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly stepsPerSecond: number;
  /** What an agent that acts did at its last action and how its episode goes; absent for other agents. */
  readonly acting?: ActingFrame;
}

/**
 * An acting agent's last action and returns, as a viewer draws them (its running means are metrics).
 */
export interface ActingFrame {
  /** The action distribution inferred at the last act(), one probability per action (all 1/n before any). */
  readonly probabilities: readonly number[];
  /** The action taken at the last act(), an index into `probabilities`; -1 before any. */
  readonly action: number;
  /** The step of the last transition observed (-1 before any). */
  readonly step: number;
  /** The reward of the last transition observed (0 before any, and on an episode's first step). */
  readonly reward: number;
  /** The return so far in the current episode: the sum of its rewards. */
  readonly episodeReturn: number;
  /** The return of the episode that ended last (terminated or truncated), or null before any ended. */
  readonly lastEpisodeReturn: number | null;
  /** The return commanded (or expected, for command 'max') for the last action whose return is known. */
  readonly commanded: number | null;
  /** The return that action achieved over the horizon; null with `commanded` before any was known. */
  readonly achieved: number | null;
}
