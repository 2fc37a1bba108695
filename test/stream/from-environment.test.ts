// Specification of fromEnvironment: a cold, chunked Observable over an environment that never
// starves the event loop, stops at once when unsubscribed and closes what it made.

import { describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import type { Transition } from '../../src/agent/agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { StateError, TpropError } from '../../src/errors.js';
import { discrete } from '../../src/environment/space.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { fromEnvironment } from '../../src/stream/from-environment.js';
import { FakeEnvironment } from './helpers/fake-environment.js';
import { sleep, testScheduler } from './helpers/marbles.js';

describe('fromEnvironment', () => {
  it('emits the generator’s transitions, then completes (marbles)', () => {
    const expected = [...environmentTransitions(new FakeEnvironment({ episodeLength: 2 }), { seed: 1, steps: 5 })];
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const source = fromEnvironment(new FakeEnvironment({ episodeLength: 2 }), {
        seed: 1,
        steps: 5,
        yieldEvery: 2,
        scheduler,
      });
      const [a, b, c, d, e] = expected;
      expectObservable(source).toBe('(abcde|)', { a, b, c, d, e });
    });
  });

  it('does nothing until subscribed, and nothing synchronously on subscribe', () => {
    const env = new FakeEnvironment();
    const source = fromEnvironment(env, { steps: 3 });
    expect(env.resetCalls).toBe(0);
    const sub = source.subscribe();
    expect(env.resetCalls).toBe(0);
    sub.unsubscribe();
  });

  it('is cold: each subscription runs the environment afresh', async () => {
    const source = fromEnvironment(() => makeEnvironment('Reber-v0'), { seed: 3, steps: 40 });
    const one = await lastValueFrom(source.pipe(toArray()));
    const two = await lastValueFrom(source.pipe(toArray()));
    expect(two).toEqual(one);
  });

  it('yields to the event loop between chunks, so timers and immediates run during a long run', async () => {
    const env = makeEnvironment('Periodic-v0');
    let seen = 0;
    let timerAt = -1;
    let immediateAt = -1;
    const all: Transition[] = [];
    const done = new Promise<void>((resolve, reject) =>
      fromEnvironment(env, { steps: 20_000, yieldEvery: 64 }).subscribe({
        next: (t) => {
          all.push(t);
          seen = all.length;
        },
        error: reject,
        complete: resolve,
      }),
    );
    setTimeout(() => (timerAt = seen), 0);
    setImmediate(() => (immediateAt = seen));
    await done;
    expect(all).toHaveLength(20_000);
    // The first chunk runs in a macrotask of its own, so an immediate queued after it sees one chunk.
    expect(immediateAt).toBe(64);
    expect(timerAt).toBeGreaterThanOrEqual(0);
    expect(timerAt).toBeLessThan(20_000);
  });

  it('stops stepping at once when unsubscribed', async () => {
    const env = new FakeEnvironment({ episodeLength: 1000 });
    const ts = await lastValueFrom(fromEnvironment(env).pipe(take(10), toArray()));
    expect(ts).toHaveLength(10);
    expect(env.stepCalls).toBe(9);
    await sleep(10);
    expect(env.stepCalls).toBe(9);
  });

  it('stops stepping when unsubscribed from outside in the middle of a long run', async () => {
    const env = new FakeEnvironment({ episodeLength: 1000 });
    const sub = fromEnvironment(env, { yieldEvery: 16 }).subscribe();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    sub.unsubscribe();
    const steps = env.stepCalls;
    expect(steps).toBeGreaterThan(0);
    await sleep(10);
    expect(env.stepCalls).toBe(steps);
  });

  it('closes an environment it made from a factory on completion, error and unsubscribe', async () => {
    const made: FakeEnvironment[] = [];
    const factory =
      (options = {}) =>
      () => {
        const env = new FakeEnvironment(options);
        made.push(env);
        return env;
      };
    await lastValueFrom(fromEnvironment(factory(), { steps: 5 }));
    await expect(lastValueFrom(fromEnvironment(factory({ throwAt: 2 }), { steps: 5 }))).rejects.toThrow(TpropError);
    await firstValueFrom(fromEnvironment(factory(), { steps: 5 }));
    expect(made.map((e) => e.closeCalls)).toEqual([1, 1, 1]);
  });

  it('leaves an environment passed as an instance open', async () => {
    const env = new FakeEnvironment();
    await lastValueFrom(fromEnvironment(env, { steps: 5 }));
    expect(env.closeCalls).toBe(0);
  });

  it('errors the stream with the environment’s typed error', async () => {
    const failing = new FakeEnvironment({
      throwAt: 3,
      error: new StateError('ERR_EPISODE_ENDED', 'step after the end'),
    });
    await expect(lastValueFrom(fromEnvironment(failing, { steps: 10 }))).rejects.toMatchObject({
      code: 'ERR_EPISODE_ENDED',
    });
    const wrongAction = new FakeEnvironment({ actionSpace: discrete(2) });
    await expect(lastValueFrom(fromEnvironment(wrongAction, { steps: 10, policy: () => 7 }))).rejects.toMatchObject({
      code: 'ERR_SHAPE_MISMATCH',
    });
  });

  it('errors the stream when the factory throws', async () => {
    const boom = new StateError('ERR_DISPOSED', 'gone');
    await expect(
      lastValueFrom(
        fromEnvironment(() => {
          throw boom;
        }),
      ),
    ).rejects.toBe(boom);
  });

  it('rejects invalid options at the call, naming the option', () => {
    const env = new FakeEnvironment();
    expect(() => fromEnvironment(env, { yieldEvery: 0 })).toThrow(/"yieldEvery"/);
    expect(() => fromEnvironment(env, { scheduler: {} as never })).toThrow(/"scheduler"/);
    expect(() => fromEnvironment(env, { steps: -2 })).toThrow(/"steps"/);
    expect(() => fromEnvironment(env, { yieldevery: 2 } as never)).toThrow(/"yieldevery"/);
    expect(() => fromEnvironment(null as never)).toThrow(TpropError);
  });
});
