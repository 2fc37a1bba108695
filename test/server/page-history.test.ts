// The page's own record of the run (server/page/history.js, plain JavaScript run here in node):
// a metric's points are means, an anomaly score's the largest value, through every halving.

import { describe, expect, it } from 'vitest';
// @ts-expect-error: the page is plain JavaScript without declarations.
import { CAPACITY, History } from '../../server/page/history.js';

describe('the page History', () => {
  it('averages a metric and keeps an anomaly peak when its points merge', () => {
    const history = new History();
    const steps = 3 * CAPACITY;
    for (let step = 0; step < steps; step++)
      history.push(step, { 'metric:m': step % 2, 'anomaly:next': step === 1234 ? 0.999 : 0.1 });
    const metric = history.get('metric:m') as (number | null)[];
    const anomaly = history.get('anomaly:next') as (number | null)[];
    expect(history.stride).toBeGreaterThan(1);
    expect(metric.length).toBeLessThanOrEqual(CAPACITY);
    // Means of alternating 0 and 1.
    for (const v of metric.slice(0, -1)) expect(v).toBeCloseTo(0.5, 1);
    expect(Math.max(...(anomaly as number[]))).toBeCloseTo(0.999, 6);
    expect(anomaly.filter((v) => (v as number) > 0.5)).toHaveLength(1);
  });
});
