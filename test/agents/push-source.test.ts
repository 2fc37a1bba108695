import { Observable, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { box } from '../../src/environment/space.js';
import { boundedBuffer } from '../../src/stream/bounded-buffer.js';
import { fromObservations } from '../../src/stream/from-observations.js';
import type { Transition } from '../../src/agent/agent.js';
import { useEngine } from '../helpers/engine.js';

useEngine();

/** A sensor that pushes `count` readings in bursts on timers, faster than an agent learns them. */
function sensor(count: number, perTick: number): Observable<Float32Array> {
  return new Observable<Float32Array>((subscriber) => {
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && sent < count; i++, sent++) subscriber.next(Float32Array.of(Math.sin(sent / 5)));
      if (sent === count) {
        clearInterval(timer);
        subscriber.complete();
      }
    }, 1);
    return () => clearInterval(timer);
  });
}

describe('a push source faster than the agent', () => {
  it.each(['drop-oldest', 'drop-newest'] as const)(
    'is learned through a bounded buffer (%s) and every dropped reading is counted',
    async (policy) => {
      const agent = new PredictiveAgent(box(1), { layers: [32], window: 16, seed: 1 });
      const buffer = boundedBuffer<Transition>({ capacity: 8, policy });
      const learned = await lastValueFrom(
        fromObservations(sensor(3000, 50)).pipe(
          buffer,
          map(({ value, dropped }) => {
            agent.observe(value);
            return dropped;
          }),
          toArray(),
        ),
      );
      const stats = buffer.stats();
      expect(stats.received).toBe(3000);
      expect(stats.dropped).toBeGreaterThan(0); // the agent was slower than the sensor
      expect(learned.length + stats.dropped).toBe(3000); // nothing lost silently
      expect(learned[learned.length - 1]).toBe(stats.dropped); // the last item carries the final count
      expect(agent.learner.steps).toBe(learned.length);
      agent.dispose();
    },
  );
});
