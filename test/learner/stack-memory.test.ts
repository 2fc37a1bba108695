// The memory bound of stack options: layers, top and window are estimated before anything is
// allocated, and options whose estimate exceeds the limit are refused with InvalidOptionError.

import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { RecurrentStack, resolveRecurrentOptions } from '../../src/learner/recurrent-stack.js';
import { STACK_MEMORY_CAP_BYTES, estimateStackBytes, stackMemoryLimit } from '../../src/learner/stack-options.js';
import { thrown } from '../helpers/thrown.js';

const input = { kind: 'categorical', size: 7 } as const;

describe('stack options, memory', () => {
  it('limits stacks to the smaller of 2 GiB and half of the machine', () => {
    expect(STACK_MEMORY_CAP_BYTES).toBe(2 ** 31);
    expect(stackMemoryLimit()).toBe(Math.min(2 ** 31, totalmem() / 2));
  });

  it('estimates the defaults small, and grows with the square of a layer and with the window', () => {
    const defaults = resolveRecurrentOptions({ input });
    const bytes = estimateStackBytes(defaults, { input: 7, window: 16, streams: 1 });
    expect(bytes).toBeGreaterThan(4 * 64 * 64 * 2);
    expect(bytes).toBeLessThan(10 * 2 ** 20);
    const wide = resolveRecurrentOptions({ input, layers: [640] });
    expect(estimateStackBytes(wide, { input: 7, window: 16, streams: 1 })).toBeGreaterThan(50 * bytes);
    expect(estimateStackBytes(defaults, { input: 7, window: 1600, streams: 1 })).toBeGreaterThan(2 * bytes);
  });

  it.each([
    ['a layer of a million', { layers: [1_000_000] }],
    ['a hundred million', { layers: [100_000_000] }],
    ['a window of a hundred million steps', { layers: [64], window: 100_000_000 }],
    ['a huge top', { layers: [64], top: { size: 50_000_000 } }],
  ])('refuses %s before allocating, naming the estimate and the limit', (_, options) => {
    const started = performance.now();
    const error = thrown(() => new RecurrentStack({ input, ...options }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(InvalidOptionError);
    const message = (error as Error).message;
    expect(message).toMatch(/^RecurrentStack: expected options whose parameters, optimiser slots and window fit in /);
    expect(message).toMatch(/ \(the smaller of 2\.0 GiB and half of this machine's [\d.]+ GiB\), but layers \[\d+\], /);
    expect(message).toMatch(/top size \d+.* need (at least |about )[\d.]+ GiB$/);
  });

  it('refuses a feed-forward stack too large as well', () => {
    const error = thrown(() => new FeedForwardStack({ inputSize: 4, layers: [1_000_000] }));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(/^FeedForwardStack: expected options whose parameters/);
  });
});
