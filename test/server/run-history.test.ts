// The history a late viewer receives: bounded at 2,000 points however long the run, reaching back
// to the first frame, each point the mean of the frames it holds.

import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/agent/snapshot.js';
import { HISTORY_CAPACITY, HISTORY_MIN_INTERVAL_MS, RunHistory } from '../../server/run-history.js';

function frame(step: number, extra: Partial<Frame> = {}): Frame {
  return {
    step,
    episode: 0,
    layers: [
      {
        name: 'layer1',
        code: Float32Array.of(0.5, -0.5, 1, 0),
        target: null,
        targetStep: null,
        input: new Float32Array(2),
        reconstruction: new Float32Array(2),
        reconstructionError: step,
        recentCodes: new Float32Array(0),
        recentFrom: step,
      },
    ],
    modalities: [],
    losses: { encoder1: step },
    metrics: { 'next/accuracy': 2 * step },
    stepsPerSecond: 100,
    ...extra,
  };
}

/** Records frames at steps `from..to`, one per `HISTORY_MIN_INTERVAL_MS` of a fake clock. */
function feed(history: RunHistory, from: number, to: number, make = frame): void {
  for (let step = from; step <= to; step++) history.record(make(step), step * HISTORY_MIN_INTERVAL_MS);
}

describe('RunHistory', () => {
  describe('#record', () => {
    it('keeps every frame while there is room, as points of one frame', () => {
      const history = new RunHistory();
      feed(history, 1, 10);
      const view = history.view();
      expect(Array.from(view.steps)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(Array.from(view.losses.encoder1!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(Array.from(view.metrics['next/accuracy']!)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
      expect(Array.from(view.layers.layer1!.meanAbsCode)).toEqual(new Array(10).fill(0.5));
      expect(Array.from(view.stepsPerSecond)).toEqual(new Array(10).fill(100));
      expect(view.stride).toBe(1);
    });

    it('stays within its capacity over a long run, reaching back to the first step', () => {
      const history = new RunHistory();
      feed(history, 1, 100_000);
      const view = history.view();
      expect(view.steps.length).toBeLessThanOrEqual(HISTORY_CAPACITY);
      expect(view.steps.length).toBeGreaterThanOrEqual(HISTORY_CAPACITY / 2);
      expect(view.losses.encoder1).toHaveLength(view.steps.length);
      // The first point holds the first frames: its mean is that of steps 1..k, its end step k.
      const k = view.steps[0]!;
      expect(view.losses.encoder1![0]).toBeCloseTo((1 + k) / 2, 5);
      expect(view.steps.at(-1)).toBe(100_000);
      expect(view.stride).toBeGreaterThanOrEqual(64);
      for (let i = 1; i < view.steps.length; i++) expect(view.steps[i]).toBeGreaterThan(view.steps[i - 1]!);
      // Each point is a mean of consecutive steps ending at its step: inside the steps it spans.
      for (let i = 1; i < view.steps.length; i++) {
        expect(view.losses.encoder1![i]).toBeGreaterThan(view.steps[i - 1]!);
        expect(view.losses.encoder1![i]).toBeLessThanOrEqual(view.steps[i]!);
      }
    });

    it('keeps the largest anomaly score of each point, through every halving', () => {
      const history = new RunHistory(8);
      // One spike among quiet frames: averaged, it would fade with every halving.
      const withScore = (step: number): Frame =>
        frame(step, {
          modalities: [
            {
              name: 'next',
              kind: 'continuous',
              actual: null,
              scored: null,
              forecast: new Float32Array(1),
              lastScored: null,
              anomaly: step === 37 ? 0.999 : 0.1,
            } as unknown as Frame['modalities'][number],
          ],
        });
      feed(history, 0, 100, withScore);
      const view = history.view();
      expect(view.stride).toBeGreaterThan(1);
      const scores = Array.from(view.anomaly.next!);
      expect(Math.max(...scores)).toBeCloseTo(0.999, 5);
      expect(scores.filter((v) => v > 0.5)).toHaveLength(1);
      expect(scores.every((v) => v >= 0.1 - 1e-6)).toBe(true);
    });

    it('skips frames closer together than the minimum interval', () => {
      const history = new RunHistory();
      for (let step = 1; step <= 100; step++) history.record(frame(step), step * 0.5);
      const count = history.length;
      expect(count).toBeGreaterThanOrEqual(100 / (HISTORY_MIN_INTERVAL_MS / 0.5) - 1);
      expect(count).toBeLessThanOrEqual(100 / (HISTORY_MIN_INTERVAL_MS / 0.5) + 1);
    });

    it('marks points without a value NaN, for a metric that appears later', () => {
      const history = new RunHistory();
      feed(history, 1, 6, (step) => frame(step, step > 3 ? { metrics: { late: step } } : { metrics: {} }));
      const late = Array.from(history.view().metrics.late!);
      expect(late.slice(0, 3).every(Number.isNaN)).toBe(true);
      expect(late.slice(3)).toEqual([4, 5, 6]);
    });

    it('leaves non-finite values out of a mean', () => {
      const history = new RunHistory(4);
      feed(history, 1, 4, (step) => frame(step, { losses: { encoder1: step === 2 ? Number.NaN : step } }));
      feed(history, 5, 5);
      // Full at 4 points: 1+2 and 3+4 merge, then 5 opens a point.
      const view = history.view();
      expect(Array.from(view.steps)).toEqual([2, 4, 5]);
      expect(Array.from(view.losses.encoder1!)).toEqual([1, 3.5, 5]);
    });

    it('starts afresh when the step goes back (a new run)', () => {
      const history = new RunHistory();
      feed(history, 1, 50);
      history.record(frame(3), 1e9);
      expect(Array.from(history.view().steps)).toEqual([3]);
    });
  });
});
