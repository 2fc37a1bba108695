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
  /** Names of the losses and metrics that frames carry. */
  readonly losses: readonly string[];
  readonly metrics: readonly string[];
}

export interface LayerFrame {
  readonly name: string;
  /** The layer's code at this step. */
  readonly code: Float32Array;
  /** The target its code was moved toward (null before any target exists). */
  readonly target: Float32Array | null;
  /** The decoder's reconstruction of the layer's input below from the code. */
  readonly reconstruction: Float32Array;
  /** Mean squared error of that reconstruction. */
  readonly reconstructionError: number;
}

export interface ModalityFrame {
  readonly name: string;
  /** The prediction made before the value arrived: class probabilities or values. */
  readonly prediction: Float32Array;
  /** What then came (one-hot for categorical), or null while missing. */
  readonly actual: Float32Array | null;
}

/** One step of a run. */
export interface Frame {
  readonly step: number;
  readonly episode: number;
  readonly layers: readonly LayerFrame[];
  readonly modalities: readonly ModalityFrame[];
  /** Local losses by name (encoder, reconstruction, top). */
  readonly losses: Readonly<Record<string, number>>;
  /** Prequential metrics by name. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly stepsPerSecond: number;
}
