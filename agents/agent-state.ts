// Saving and restoring an agent built on a RecurrentStack: the stack's state plus the agent's own
// counters, with a check that the saved agent is of the same kind and options.

import type { AgentState } from '../src/agent/agent.js';
import {
  corruptState,
  stateArray,
  stateBoolean,
  stateFloats,
  stateInteger,
  stateRecord,
  stateString,
} from '../src/checkpoint/state-checks.js';
import type { Info } from '../src/environment/environment.js';
import { Mean, type MeanState, type RollingMean, type RollingMeanState } from '../src/metrics/rolling-mean.js';
import type { AnomalyScore, AnomalyScoreState } from '../src/metrics/anomaly-score.js';
import { CheckpointError, describeValue } from '../src/errors.js';
import type { RecurrentStack } from '../src/learner/recurrent-stack.js';

export const AGENT_STATE_VERSION = 1;

export function agentState(
  kind: string,
  options: unknown,
  stack: RecurrentStack,
  extra: Record<string, unknown>,
): AgentState {
  return {
    kind,
    version: AGENT_STATE_VERSION,
    options: JSON.parse(JSON.stringify(options ?? {})),
    data: { stack: stack.getState(), extra },
  };
}

/** Checks an agent's own part of a saved state (its counters, metrics); throws CheckpointError. */
export type ExtraCheck = (extra: Record<string, unknown>, where: string) => void;

/**
 * Restores `state` into `stack` after checking it belongs to an agent like this one, and that
 * all of it is well formed: the stack's part (`RecurrentStack.checkState`) and the agent's own
 * (`checkExtra`) are checked before anything is written, so a state that cannot be taken
 * (CheckpointError) leaves the agent as it was. Returns the agent's extra data.
 */
export function restoreAgent(
  kind: string,
  options: unknown,
  stack: RecurrentStack,
  state: AgentState,
  checkExtra: ExtraCheck = () => undefined,
  where = 'Agent.setState',
): Record<string, unknown> {
  const record = stateRecord(where, 'the state', state, ['kind', 'version', 'options', 'data']);
  const saved = stateString(where, 'kind', record.kind);
  if (saved !== kind)
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected the state of a ${kind} agent, but got ${saved}`,
    );
  if (record.version !== AGENT_STATE_VERSION)
    throw new CheckpointError(
      'ERR_CHECKPOINT_VERSION',
      `${where}: expected agent state version ${AGENT_STATE_VERSION}, but got ${describeValue(record.version)}`,
    );
  stateRecord(where, 'options', record.options);
  if (JSON.stringify(record.options) !== JSON.stringify(JSON.parse(JSON.stringify(options ?? {})))) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected a state saved with the same options, but they differ`,
    );
  }
  const data = stateRecord(where, 'data', record.data, ['stack', 'extra']);
  const extra = stateRecord(where, 'data.extra', data.extra);
  // Same kind, same options: a stack state of other sizes can only be a damaged one.
  const stackState = stack.checkState(data.stack, 'ERR_CHECKPOINT_CORRUPT');
  checkExtra(extra, where);
  stack.setState(stackState);
  return extra;
}

/** The predictive agent's own part of its state, as `checkAgentExtra` returns it. */
export interface AgentExtra {
  readonly episode: number;
  readonly inEpisode: boolean[];
  readonly previousInfo: (Info | null)[];
  readonly lastActual: [string, Float32Array][];
  readonly lastScored: [string, Float32Array][];
  readonly scores: [string, RollingMeanState, MeanState][];
  /** Per modality, each stream's anomaly score (none in a state saved before they existed). */
  readonly anomaly: [string, AnomalyScoreState[]][];
  /** The smallest and largest value of each input entry so far (none saved before it existed: ±∞). */
  readonly inputRange: { readonly low: number[]; readonly high: number[] } | null;
}

/** What the agent's own state must fit: its streams, modalities (name → size) and metrics. */
export interface AgentShape {
  readonly streams: number;
  readonly sizes: ReadonlyMap<string, number>;
  readonly scores: ReadonlyMap<string, { readonly recent: RollingMean; readonly total: Mean }>;
  readonly anomalies: ReadonlyMap<string, readonly AnomalyScore[]>;
  /** Entries of a continuous input (0 for a categorical one, which keeps no range). */
  readonly inputSize: number;
}

/** Checks the predictive agent's counters, last values and metrics; throws CheckpointError naming the part. */
export function checkAgentExtra(extra: Record<string, unknown>, where: string, shape: AgentShape): AgentExtra {
  const { streams } = shape;
  const episode = stateInteger(where, 'episode', extra.episode);
  const inEpisode = stateArray(where, 'inEpisode', extra.inEpisode, streams).map((v, r) =>
    stateBoolean(where, `inEpisode[${r}]`, v),
  );
  const previousInfo = stateArray(where, 'previousInfo', extra.previousInfo, streams).map((v, r) => {
    if (v === null) return null;
    const info = stateRecord(where, `previousInfo[${r}]`, v);
    const legal = info.legalNext;
    if (legal !== undefined && (!Array.isArray(legal) || !legal.every((s) => Number.isSafeInteger(s))))
      corruptState(where, `previousInfo[${r}].legalNext`, 'an array of integers', legal);
    return info as Info;
  });
  const lastValues = (name: string, raw: unknown): [string, Float32Array][] =>
    stateArray(where, name, raw ?? []).map((entry, i) => {
      const [key, values] = stateArray(where, `${name}[${i}]`, entry, 2);
      const size = shape.sizes.get(stateString(where, `${name}[${i}][0]`, key));
      if (size === undefined) corruptState(where, `${name}[${i}][0]`, 'the name of a modality of this agent', key);
      return [key as string, stateFloats(where, `${name}[${i}][1]`, values, size)];
    });
  const scores = stateArray(where, 'scores', extra.scores).map((entry, i): [string, RollingMeanState, MeanState] => {
    const [name, recent, total] = stateArray(where, `scores[${i}]`, entry, 3);
    const own = shape.scores.get(stateString(where, `scores[${i}][0]`, name));
    if (own === undefined) corruptState(where, `scores[${i}][0]`, 'the name of a metric of this agent', name);
    return [
      name as string,
      own.recent.checkState(recent, where, `scores[${i}].recent`),
      Mean.checkState(total, where, `scores[${i}].total`),
    ];
  });
  const names = scores.map(([name]) => name);
  if (names.length !== shape.scores.size || new Set(names).size !== names.length)
    corruptState(where, 'scores', `each of this agent's ${shape.scores.size} metrics once`, names);
  // A state saved before anomaly scores existed has none: the scores start afresh.
  const anomaly = stateArray(where, 'anomaly', extra.anomaly ?? []).map((entry, i): [string, AnomalyScoreState[]] => {
    const [name, states] = stateArray(where, `anomaly[${i}]`, entry, 2);
    const own = shape.anomalies.get(stateString(where, `anomaly[${i}][0]`, name));
    if (own === undefined)
      corruptState(where, `anomaly[${i}][0]`, 'the name of a modality this agent scores anomalies of', name);
    const checked = stateArray(where, `anomaly[${i}][1]`, states, streams).map((s, r) =>
      own[r]!.checkState(s, where, `anomaly[${i}][1][${r}]`),
    );
    return [name as string, checked];
  });
  const range = extra.inputRange === undefined || extra.inputRange === null ? null : extra.inputRange;
  const bound = (key: 'low' | 'high', raw: unknown): number[] =>
    stateArray(where, `inputRange.${key}`, raw, shape.inputSize).map((v, i) => {
      if (typeof v !== 'number' || Number.isNaN(v)) corruptState(where, `inputRange.${key}[${i}]`, 'a number', v);
      return v;
    });
  const record = range === null ? null : stateRecord(where, 'inputRange', range, ['low', 'high']);
  const inputRange = record === null ? null : { low: bound('low', record.low), high: bound('high', record.high) };
  return {
    inputRange,
    episode,
    inEpisode,
    previousInfo,
    lastActual: lastValues('lastActual', extra.lastActual),
    lastScored: lastValues('lastScored', extra.lastScored),
    scores,
    anomaly,
  };
}

/**
 * Checks the reference learner's saved part (its stack and anomaly scores) and returns what
 * restores it; a state saved without one (none asked for then) is refused: the options differ.
 */
export function checkReference(
  stack: RecurrentStack,
  anomalies: ReadonlyMap<string, AnomalyScore[]>,
  extra: Record<string, unknown>,
  where: string,
): () => void {
  const saved = stateRecord(where, 'reference', extra.reference, ['stack', 'anomaly']);
  const state = stack.checkState(saved.stack, 'ERR_CHECKPOINT_CORRUPT');
  const scores = stateArray(where, 'reference.anomaly', saved.anomaly, anomalies.size).map((entry, i) => {
    const [name, states] = stateArray(where, `reference.anomaly[${i}]`, entry, 2);
    const own = anomalies.get(name as string);
    if (!own)
      throw new CheckpointError('ERR_CHECKPOINT_CORRUPT', `${where}: reference.anomaly[${i}] names no modality`);
    const checked = stateArray(where, `reference.anomaly[${i}][1]`, states, own.length).map((v, r) =>
      own[r]!.checkState(v, where, `reference.anomaly[${i}][1][${r}]`),
    );
    return [own, checked] as const;
  });
  return () => {
    stack.setState(state);
    for (const [own, states] of scores) states.forEach((v, r) => own[r]!.setState(v));
  };
}
