// Marble-test plumbing for the stream tests: a TestScheduler that compares with vitest's deep
// equality, and small builders of transitions and step events to put in marble values.

import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import type { Outcome, Transition } from '../../../src/agent/agent.js';
import type { SpaceValue } from '../../../src/environment/space.js';
import type { StepEvent } from '../../../src/stream/learn.js';

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A transition with the given fields over passive, mid-episode defaults. */
export function transition(step: number, observation: SpaceValue, extra: Partial<Transition> = {}): Transition {
  return {
    step,
    episode: 0,
    observation,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
    first: step === 0,
    ...extra,
  };
}

/** A step event as `learn` would make it, with an empty outcome. */
export function stepEvent(step: number, skipped = 0): StepEvent {
  const outcome: Outcome = { step, scored: [], scores: {} };
  return { transition: transition(step, step % 4), outcome, skipped };
}

/** Waits `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Blocks the thread for `ms` milliseconds (a slow synchronous consumer). */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
