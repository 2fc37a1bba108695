// Specification of sampleMetrics: the agent's metrics every few steps and at the end.

import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, take, toArray } from 'rxjs';
import type { Agent } from '../../src/agent/agent.js';
import type { StepEvent } from '../../src/stream/learn.js';
import { TpropError } from '../../src/errors.js';
import { sampleMetrics } from '../../src/stream/sample-metrics.js';
import { FakeAgent } from './helpers/fake-agent.js';
import { stepEvent, testScheduler } from './helpers/marbles.js';

/** An agent whose metrics count how often they were read. */
function countingAgent(failAt = Infinity): Agent & { reads: number } {
  const agent = new FakeAgent() as FakeAgent & { reads: number };
  agent.reads = 0;
  agent.metrics = () => {
    if (agent.reads + 1 >= failAt) throw new Error('metrics failed');
    return { reads: ++agent.reads };
  };
  return agent;
}

const events = { a: stepEvent(0), b: stepEvent(1), c: stepEvent(2), d: stepEvent(3), e: stepEvent(4) };

describe('sampleMetrics', () => {
  it('emits the metrics every `every` steps and once more on completion (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e|', events);
      expectObservable(source.pipe(sampleMetrics(countingAgent(), 2))).toBe('--x---y--(z|)', {
        x: { step: 1, metrics: { reads: 1 } },
        y: { step: 3, metrics: { reads: 2 } },
        z: { step: 4, metrics: { reads: 3 } },
      });
    });
  });

  it('does not repeat the final sample when the last step was just sampled (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b|', events);
      expectObservable(source.pipe(sampleMetrics(countingAgent(), 2))).toBe('--x|', {
        x: { step: 1, metrics: { reads: 1 } },
      });
    });
  });

  it('emits nothing for a stream without steps, and every step with every = 1 (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<StepEvent>('---|').pipe(sampleMetrics(countingAgent(), 5))).toBe('---|');
      expectObservable(cold('ab|', events).pipe(sampleMetrics(countingAgent(), 1))).toBe('xy|', {
        x: { step: 0, metrics: { reads: 1 } },
        y: { step: 1, metrics: { reads: 2 } },
      });
    });
  });

  it('passes an upstream error on without a final sample (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c#', events);
      expectObservable(source.pipe(sampleMetrics(countingAgent(), 2))).toBe('--x--#', {
        x: { step: 1, metrics: { reads: 1 } },
      });
    });
  });

  it('sends an error from agent.metrics() down the error channel (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d|', events);
      expectObservable(source.pipe(sampleMetrics(countingAgent(2), 2))).toBe(
        '--x---#',
        { x: { step: 1, metrics: { reads: 1 } } },
        new Error('metrics failed'),
      );
    });
  });

  it('hands out a copy the agent cannot change later', async () => {
    const live: Record<string, number> = { accuracy: 0.5 };
    const agent = new FakeAgent();
    agent.metrics = () => live;
    const [sample] = await lastValueFrom(of(stepEvent(0)).pipe(sampleMetrics(agent, 1), take(1), toArray()));
    live.accuracy = 1;
    expect(sample!.metrics).toEqual({ accuracy: 0.5 });
  });

  it('rejects an invalid `every` at the call', () => {
    expect(() => sampleMetrics(new FakeAgent(), 0)).toThrow(/"every"/);
    expect(() => sampleMetrics(new FakeAgent(), 1.5)).toThrow(TpropError);
    expect(() => sampleMetrics(null as never, 1)).toThrow(TpropError);
  });
});
