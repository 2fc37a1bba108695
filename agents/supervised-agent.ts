// The supervised agent: a predictive agent whose labels (or any side modality) enter the top as
// side information when they come, on time with the observation, late, or never. A late label
// reaches the step it belongs to while that step is still in the window, which is then learned
// again with it; one that comes after the step left the window is counted as expired, never
// silently lost. Steps that never get a label still learn (their reconstructions and decoders).
//
// Late labels arrive in a transition's `info.lateSide`: [{ step, values: { label: 3 } }], where
// `step` is the transition's `step` they belong to, or through `label(step, values)`.

import type { AgentState, Outcome, Transition } from '../src/agent/agent.js';
import { stateArray, stateFloats, stateInteger, stateRecord } from '../src/checkpoint/state-checks.js';
import { scoreCategorical, squaredError } from '../src/metrics/prequential-scores.js';
import { type ModalityValue, writeModality } from '../src/learner/modality.js';
import { packSide } from '../src/learner/side-batch.js';
import type { Space } from '../src/environment/space.js';
import { PredictiveAgent, type PredictiveAgentOptions } from './predictive-agent.js';

export interface LateSide {
  readonly step: number;
  readonly values: Readonly<Record<string, ModalityValue>>;
}

export class SupervisedAgent extends PredictiveAgent {
  static override readonly takesLateSide: boolean = true;
  static override readonly agentKind: string = 'supervised';
  override readonly kind: string = 'supervised';
  /** Late side information: attached to its step, or arrived after the step left the window. */
  readonly late = { attached: 0, expired: 0 };
  /** Transition step → the learner's step and the predictions made there (the last `window` steps). */
  private readonly history = new Map<number, { index: number; predictions: Float32Array[] }>();

  constructor(observationSpace: Space, options: PredictiveAgentOptions = {}) {
    super(observationSpace, { predictNext: false, ...options });
  }

  /** The predictive agent's state, with the late-label counters and the recent predictions they are scored against. */
  override getState(): AgentState {
    const state = super.getState();
    const history = [...this.history].map(([step, { index, predictions }]) => [step, index, predictions]);
    return { ...state, data: { ...state.data, supervised: { late: { ...this.late }, history } } };
  }

  /** Restores a state from `getState`; all of it is checked before anything changes. */
  override setState(state: AgentState): void {
    const where = `${this.constructor.name}.setState`;
    // Checked first; a state saved before this part existed restores with none of it.
    const raw = (state as { data?: { supervised?: unknown } } | null)?.data?.supervised;
    const own = raw === undefined ? { late: { attached: 0, expired: 0 }, history: [] } : checkSupervised(raw, where);
    super.setState(state);
    this.late.attached = own.late.attached;
    this.late.expired = own.late.expired;
    this.history.clear();
    for (const [step, index, predictions] of own.history) this.history.set(step, { index, predictions });
  }

  override metrics(): Record<string, number> {
    return { ...super.metrics(), 'late/attached': this.late.attached, 'late/expired': this.late.expired };
  }

  override observe(transition: Transition): Outcome {
    const outcome = super.observe(transition);
    const index = this.learner.steps - 1;
    this.history.set(transition.step, { index, predictions: this.predict().map((p) => p.values) });
    const window = this.stack?.options.window ?? 16;
    for (const step of this.history.keys()) if (step <= transition.step - window) this.history.delete(step);
    const late = transition.info?.lateSide as LateSide[] | undefined;
    if (Array.isArray(late))
      for (const item of late) this.label(item.step, item.values, outcome.scores as Record<string, number>);
    return outcome;
  }

  /**
   * Side information for the transition numbered `step`, arriving now. Scores the prediction
   * made at that step, then learns from it if the step is still in the window. Returns whether
   * it was attached.
   */
  label(step: number, values: Readonly<Record<string, ModalityValue>>, scores: Record<string, number> = {}): boolean {
    const where = `${this.constructor.name}.label`;
    const side = packSide(this.side, [values], where);
    const past = this.history.get(step);
    if (!past || !this.stack?.attachSide(past.index, side)) {
      this.late.expired++;
      return false;
    }
    this.late.attached++;
    this.side.forEach((m, k) => {
      const v = values[m.name];
      if (v === undefined || v === null) return;
      const p = past.predictions[k]!;
      if (m.kind === 'categorical')
        this.record(`${m.name}/lateAccuracy`, scoreCategorical(p, v as number).accuracy, scores);
      else {
        const actual = new Float32Array(m.size);
        writeModality(m, v, actual, 0, where);
        this.record(`${m.name}/lateSquaredError`, squaredError(p, actual), scores);
      }
    });
    return true;
  }
}

/** Checks the supervised agent's own part of a saved state; throws CheckpointError naming the part. */
function checkSupervised(
  raw: unknown,
  where: string,
): { late: { attached: number; expired: number }; history: [number, number, Float32Array[]][] } {
  const record = stateRecord(where, 'data.supervised', raw, ['late', 'history']);
  const late = stateRecord(where, 'data.supervised.late', record.late, ['attached', 'expired']);
  const history = stateArray(where, 'data.supervised.history', record.history).map(
    (entry, i): [number, number, Float32Array[]] => {
      const at = `data.supervised.history[${i}]`;
      const [step, index, predictions] = stateArray(where, at, entry, 3);
      return [
        stateInteger(where, `${at}[0]`, step),
        stateInteger(where, `${at}[1]`, index),
        stateArray(where, `${at}[2]`, predictions).map((p, k) => stateFloats(where, `${at}[2][${k}]`, p)),
      ];
    },
  );
  return {
    late: {
      attached: stateInteger(where, 'data.supervised.late.attached', late.attached),
      expired: stateInteger(where, 'data.supervised.late.expired', late.expired),
    },
    history,
  };
}
