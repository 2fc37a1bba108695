// Specification of fromObservations: any push source numbered into Transitions.

import { describe, expect, it } from 'vitest';
import { Subject, lastValueFrom, of, toArray } from 'rxjs';
import { NonFiniteError, ShapeMismatchError, TpropError } from '../../src/errors.js';
import type { ObservationInput } from '../../src/stream/from-observations.js';
import { fromObservations } from '../../src/stream/from-observations.js';
import { learn } from '../../src/stream/learn.js';
import { FakeAgent } from './helpers/fake-agent.js';
import { testScheduler, transition } from './helpers/marbles.js';

describe('fromObservations', () => {
  it('turns plain values into numbered transitions of one episode (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ObservationInput>('a-b--c|', { a: 2, b: 0, c: 3 });
      expectObservable(fromObservations(source)).toBe('a-b--c|', {
        a: transition(0, 2, { first: true }),
        b: transition(1, 0),
        c: transition(2, 3),
      });
    });
  });

  it('reads records with flags, starting a new episode after each end (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ObservationInput>('abcde|', {
        a: { observation: 1 },
        b: { observation: 2, reward: 0.5, terminated: true, info: { why: 'goal' } },
        c: { observation: 3 },
        d: { observation: 0, truncated: true },
        e: 1,
      });
      expectObservable(fromObservations(source)).toBe('abcde|', {
        a: transition(0, 1, { first: true }),
        b: transition(1, 2, { reward: 0.5, terminated: true, info: { why: 'goal' } }),
        c: transition(2, 3, { episode: 1, first: true }),
        d: transition(3, 0, { episode: 1, truncated: true }),
        e: transition(4, 1, { episode: 2, first: true }),
      });
    });
  });

  it('passes source errors and completion through (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const error = new Error('socket closed');
      expectObservable(fromObservations(cold<ObservationInput>('a-#', { a: 1 }, error))).toBe(
        'a-#',
        { a: transition(0, 1) },
        error,
      );
    });
  });

  it('errors with a typed error on a malformed record (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bad = cold<ObservationInput>('ab|', { a: 1, b: { observation: 1, terminated: 'yes' } as never });
      expectObservable(fromObservations(bad)).toBe(
        'a#',
        { a: transition(0, 1) },
        new ShapeMismatchError('fromObservations: expected "terminated" to be a boolean, but got "yes"'),
      );
      const nanReward = cold<ObservationInput>('a|', { a: { observation: 1, reward: Number.NaN } });
      expectObservable(fromObservations(nanReward)).toBe(
        '#',
        {},
        new NonFiniteError('fromObservations: expected a finite "reward", but got NaN'),
      );
    });
  });

  it('reads a dict value with an "observation" key as a value when told so', async () => {
    const value = { observation: Float32Array.of(1), label: 2 };
    const [t] = await lastValueFrom(fromObservations(of<ObservationInput[]>(value), { form: 'value' }).pipe(toArray()));
    expect(t!.observation).toBe(value);
    await expect(lastValueFrom(fromObservations(of<ObservationInput[]>(3), { form: 'record' }))).rejects.toBeInstanceOf(
      ShapeMismatchError,
    );
  });

  it('numbers each subscription from 0', async () => {
    const source = fromObservations(of<ObservationInput[]>(1, 2));
    expect((await lastValueFrom(source)).step).toBe(1);
    expect((await lastValueFrom(source)).step).toBe(1);
  });

  it('feeds an agent from a push source, bad observations skipped by learn', () => {
    const feed = new Subject<ObservationInput>();
    const agent = new FakeAgent();
    const steps: number[] = [];
    fromObservations(feed)
      .pipe(learn(agent, { onInvalid: 'skip' }))
      .subscribe((e) => steps.push(e.transition.step));
    feed.next(1);
    feed.next(Number.NaN);
    feed.next({ observation: 2, terminated: true });
    feed.next(3);
    feed.complete();
    expect(steps).toEqual([0, 2, 3]);
    expect(agent.observed.map((t) => t.first)).toEqual([true, false, true]);
  });

  it('rejects invalid options at the call, naming the option', () => {
    expect(() => fromObservations(of(1), { form: 'json' as never })).toThrow(/"form"/);
    expect(() => fromObservations(of(1), { shape: 1 } as never)).toThrow(/"shape"/);
    expect(() => fromObservations(3 as never)).toThrow(TpropError);
  });
});
