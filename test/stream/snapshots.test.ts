// Specification of snapshots: frames of the agent, limited by steps and by scheduler time.

import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/agent/snapshot.js';
import { TpropError } from '../../src/errors.js';
import { snapshots } from '../../src/stream/snapshots.js';
import { FakeAgent } from './helpers/fake-agent.js';
import { stepEvent, testScheduler } from './helpers/marbles.js';

/** A frame that says which snapshot it was. */
function frame(n: number): Frame {
  return { step: n, episode: 0, layers: [], modalities: [], losses: {}, metrics: {}, stepsPerSecond: 0 };
}

function numberingAgent(failAt = Infinity): FakeAgent {
  const agent = new FakeAgent();
  let taken = 0;
  agent.snapshot = () => {
    taken++;
    if (taken >= failAt) throw new Error('snapshot failed');
    return frame(taken);
  };
  return agent;
}

const events = Object.fromEntries('abcdefghij'.split('').map((k, i) => [k, stepEvent(i)]));
const frames = { x: frame(1), y: frame(2), z: frame(3), w: frame(4) };

describe('snapshots', () => {
  it('takes a frame at most every `intervalMs` of scheduler time (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('abcdefg|', events);
      expectObservable(source.pipe(snapshots(numberingAgent(), { intervalMs: 3, scheduler }))).toBe('x--y--z|', frames);
    });
  });

  it('measures on the default clock, which virtual time drives too (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 5ms b 5ms c 10ms d|', events);
      expectObservable(source.pipe(snapshots(numberingAgent(), { intervalMs: 10 }))).toBe(
        'x 5ms - 5ms y 10ms z|',
        frames,
      );
    });
  });

  it('takes a frame every `every` steps, with no time limit unless one is given (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcdefg|', events);
      expectObservable(source.pipe(snapshots(numberingAgent(), { every: 3 }))).toBe('--x--y-|', frames);
    });
  });

  it('with both limits, waits for both (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('ab-----cdefghij|', events);
      // At f and g the step limit allows a frame but the time limit does not yet; at h both do.
      expectObservable(source.pipe(snapshots(numberingAgent(), { every: 2, intervalMs: 4, scheduler }))).toBe(
        '-x------y---z--|',
        frames,
      );
    });
  });

  it('never takes one frame per step by default: 16 ms apart (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 7ms b 7ms c 7ms d|', events);
      expectObservable(source.pipe(snapshots(numberingAgent()))).toBe('x 7ms - 7ms y 7ms -|', frames);
    });
  });

  it('sends an error from agent.snapshot() down the error channel (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abc|', events);
      expectObservable(source.pipe(snapshots(numberingAgent(2), { every: 1 }))).toBe(
        'x#',
        frames,
        new Error('snapshot failed'),
      );
    });
  });

  it('rejects invalid options at the call, naming the option', () => {
    const agent = new FakeAgent();
    expect(() => snapshots(agent, { every: 0 })).toThrow(/"every"/);
    expect(() => snapshots(agent, { intervalMs: -1 })).toThrow(/"intervalMs"/);
    expect(() => snapshots(agent, { scheduler: 5 as never })).toThrow(/"scheduler"/);
    expect(() => snapshots(agent, { evry: 2 } as never)).toThrow(TpropError);
  });
});
