// A stand-in agent for the stream tests: it predicts that the last observation repeats, checks
// its input as a real agent does, and records every call so tests can see what a pipeline did.

import type { Agent, AgentState, ModalityPrediction, Outcome, Transition } from '../../../src/agent/agent.js';
import { StateError } from '../../../src/errors.js';
import type { Frame, Topology } from '../../../src/agent/snapshot.js';
import { assertInSpace, discrete } from '../../../src/environment/space.js';
import type { Space, SpaceValue } from '../../../src/environment/space.js';

export interface FakeAgentOptions {
  /** Default discrete(4). */
  readonly observationSpace?: Space;
  /** Default null (observes only); a discrete space makes `act` cycle through its values. */
  readonly actionSpace?: Space | null;
  /** `observe` throws a plain Error (an agent fault, not bad data) when this returns true. */
  readonly failOn?: (transition: Transition) => boolean;
  /** `snapshot` throws when this returns true (given the snapshot count so far). */
  readonly failSnapshot?: (count: number) => boolean;
  /** Busy work per observe, in milliseconds. Default 0. */
  readonly workMs?: number;
}

export class FakeAgent implements Agent {
  readonly kind = 'fake';
  readonly observationSpace: Space;
  readonly actionSpace: Space | null;
  readonly topology: Topology;
  /** Calls that got as far as learning (valid input). */
  observeCalls = 0;
  /** Calls rejected (bad input, marked failure or disposed). */
  rejected = 0;
  resetCalls = 0;
  disposeCalls = 0;
  snapshotCalls = 0;
  metricsCalls = 0;
  readonly actions: SpaceValue[] = [];
  readonly observed: Transition[] = [];
  private last: SpaceValue | null = null;
  private correct = 0;
  private scoredCount = 0;

  constructor(private readonly options: FakeAgentOptions = {}) {
    this.observationSpace = options.observationSpace ?? discrete(4);
    this.actionSpace = options.actionSpace ?? null;
    this.topology = { agent: 'fake', environment: '', layers: [], modalities: [], losses: [], metrics: ['accuracy'] };
  }

  get disposed(): boolean {
    return this.disposeCalls > 0;
  }

  observe(transition: Transition): Outcome {
    try {
      if (this.disposed)
        throw new StateError('ERR_DISPOSED', 'FakeAgent.observe: expected a live agent, but it has been disposed');
      assertInSpace(this.observationSpace, transition.observation, 'FakeAgent.observe: observation');
      if (this.options.failOn?.(transition))
        throw new Error(`FakeAgent.observe: marked failure at step ${transition.step}`);
    } catch (error) {
      this.rejected++;
      throw error;
    }
    const work = this.options.workMs ?? 0;
    if (work > 0) {
      const until = performance.now() + work;
      while (performance.now() < until);
    }
    const scores: Record<string, number> = {};
    if (!transition.first && this.last !== null) {
      scores.accuracy = this.last === transition.observation ? 1 : 0;
      this.correct += scores.accuracy;
      this.scoredCount++;
    }
    this.last = transition.observation;
    this.observeCalls++;
    this.observed.push(transition);
    return { step: transition.step, scored: [], scores };
  }

  predict(): ModalityPrediction[] {
    return [
      { name: 'next', kind: 'categorical', values: Float32Array.of(typeof this.last === 'number' ? this.last : 0) },
    ];
  }

  act(): SpaceValue {
    const n = this.actionSpace?.kind === 'discrete' ? this.actionSpace.n : 1;
    const action = this.actions.length % n;
    this.actions.push(action);
    return action;
  }

  reset(): void {
    this.resetCalls++;
    this.last = null;
  }

  metrics(): Record<string, number> {
    this.metricsCalls++;
    return { observed: this.observeCalls, accuracy: this.scoredCount === 0 ? 0 : this.correct / this.scoredCount };
  }

  snapshot(): Frame {
    if (this.options.failSnapshot?.(this.snapshotCalls)) throw new Error('FakeAgent.snapshot: marked failure');
    this.snapshotCalls++;
    return {
      step: this.observeCalls,
      episode: 0,
      layers: [],
      modalities: [],
      losses: {},
      metrics: this.metrics(),
      stepsPerSecond: 0,
    };
  }

  getState(): AgentState {
    return { kind: this.kind, version: 1, options: {}, data: { observeCalls: this.observeCalls } };
  }

  setState(state: AgentState): void {
    this.observeCalls = state.data.observeCalls as number;
  }

  dispose(): void {
    this.disposeCalls++;
  }
}
