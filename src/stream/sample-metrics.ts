// sampleMetrics: the agent's running prequential metrics, read every few steps of a learning
// stream and once more when it completes, for logs, progress lines and benches.

import { Observable } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Agent } from '../agent/agent.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import { numberOption } from '../options.js';
import type { StepEvent } from './learn.js';

/** The agent's metrics as they stood after the step `step`. */
export interface MetricsSample {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Emits `{ step, metrics: agent.metrics() }` after every `every`-th event (counted per
 * subscription), and on completion a final sample of the latest step unless the last event
 * was itself sampled (the values would be the same). A stream with no events emits nothing.
 * An error from `agent.metrics()` goes down the error channel.
 */
export function sampleMetrics(agent: Agent, every: number): OperatorFunction<StepEvent, MetricsSample> {
  const period = numberOption('sampleMetrics', 'every', every, 1, { integer: true, min: 1 });
  if (typeof agent !== 'object' || agent === null || typeof agent.metrics !== 'function') {
    throw new InvalidOptionError(`sampleMetrics: expected an agent with metrics(), but got ${describeValue(agent)}`);
  }
  return (source) =>
    new Observable<MetricsSample>((subscriber) => {
      let count = 0;
      let sinceSample = 0;
      let lastStep = 0;
      // Reads and emits; false when the read failed and the stream has been errored.
      const emit = (): boolean => {
        let metrics: Record<string, number>;
        try {
          // A copy: the sample must not change if the agent hands out a live record.
          metrics = { ...agent.metrics() };
        } catch (error) {
          subscriber.error(error);
          return false;
        }
        sinceSample = 0;
        subscriber.next({ step: lastStep, metrics });
        return true;
      };
      return source.subscribe({
        next: (event) => {
          if (subscriber.closed) return;
          count++;
          sinceSample++;
          lastStep = event.transition.step;
          if (count % period === 0) emit();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (subscriber.closed) return;
          if (sinceSample > 0 && !emit()) return;
          subscriber.complete();
        },
      });
    });
}
