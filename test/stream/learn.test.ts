// Specification of learn: transitions through agent.observe, invalid data erroring or skipped.

import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray } from 'rxjs';
import { NonFiniteError, TpropError } from '../../src/errors.js';
import type { TpropError as TpropErrorType } from '../../src/errors.js';
import { isInvalidData, learn } from '../../src/stream/learn.js';
import type { StepEvent } from '../../src/stream/learn.js';
import { FakeAgent } from './helpers/fake-agent.js';
import { testScheduler, transition } from './helpers/marbles.js';

const a = transition(0, 1);
const b = transition(1, 1);
const c = transition(2, 2);
const nan = transition(1, Number.NaN);

/** What the fake agent reports for a, b, c seen in order (it predicts a repeat). */
function event(t: typeof a, skipped = 0): StepEvent {
  const scores: Record<string, number> = t.first ? {} : { accuracy: t === b ? 1 : 0 };
  return { transition: t, outcome: { step: t.step, scored: [], scores }, skipped };
}

describe('learn', () => {
  it('feeds each transition to the agent and emits it with its outcome (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const agent = new FakeAgent();
      const source = cold('a-b-c-|', { a, b, c });
      expectObservable(source.pipe(learn(agent))).toBe('a-b-c-|', { a: event(a), b: event(b), c: event(c) });
    });
  });

  it('errors with the agent’s typed error on a NaN observation by default (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const agent = new FakeAgent();
      const source = cold('a-n-c-|', { a, n: nan, c });
      const error = new NonFiniteError('FakeAgent.observe: observation: expected an integer in [0, 4), but got NaN');
      expectObservable(source.pipe(learn(agent))).toBe('a-#', { a: event(a) }, error);
    });
  });

  it('reports ERR_NON_FINITE and leaves the agent usable after the error', async () => {
    const agent = new FakeAgent();
    const failed = lastValueFrom(of(a, nan, c).pipe(learn(agent, { onInvalid: 'error' })));
    await expect(failed).rejects.toBeInstanceOf(NonFiniteError);
    await expect(failed).rejects.toMatchObject({ code: 'ERR_NON_FINITE' });
    expect(agent.observeCalls).toBe(1);
    expect(() => agent.observe(c)).not.toThrow();
  });

  it('with onInvalid "skip", drops and counts the invalid transition and goes on (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const agent = new FakeAgent();
      const source = cold('a-n-c-|', { a, n: nan, c });
      expectObservable(source.pipe(learn(agent, { onInvalid: 'skip' }))).toBe('a---c-|', {
        a: event(a),
        c: event(c, 1),
      });
    });
  });

  it('tells onSkip of every skipped transition with the running total', async () => {
    const agent = new FakeAgent();
    const skips: Array<[string, number, number]> = [];
    const onSkip = (error: TpropErrorType, t: typeof a, n: number) => skips.push([error.code, t.step, n]);
    const tail = transition(3, Number.NaN);
    const events = await lastValueFrom(
      of(a, nan, c, tail).pipe(learn(agent, { onInvalid: 'skip', onSkip }), toArray()),
    );
    expect(events.map((e) => e.transition.step)).toEqual([0, 2]);
    expect(skips).toEqual([
      ['ERR_NON_FINITE', 1, 1],
      ['ERR_NON_FINITE', 3, 2],
    ]);
  });

  it('counts skips per subscription', async () => {
    const operator = learn(new FakeAgent(), { onInvalid: 'skip' });
    const source = of(nan, c);
    const first = await lastValueFrom(source.pipe(operator));
    const second = await lastValueFrom(source.pipe(operator));
    expect([first.skipped, second.skipped]).toEqual([1, 1]);
  });

  it('skips only invalid data: an agent fault still errors the stream (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const agent = new FakeAgent({ failOn: (t) => t.step === 1 });
      const source = cold('a-b-c-|', { a, b, c });
      const error = new Error('FakeAgent.observe: marked failure at step 1');
      expectObservable(source.pipe(learn(agent, { onInvalid: 'skip' }))).toBe('a-#', { a: event(a) }, error);
    });
  });

  it('stops observing once the stream has errored, even from a synchronous source', async () => {
    const agent = new FakeAgent();
    await expect(lastValueFrom(of(a, nan, c, c, c).pipe(learn(agent)))).rejects.toThrow(TpropError);
    expect(agent.observeCalls + agent.rejected).toBe(2);
  });

  it('tells invalid data from other failures', () => {
    expect(isInvalidData(new NonFiniteError('x'))).toBe(true);
    expect(isInvalidData(new Error('x'))).toBe(false);
  });

  it('rejects invalid options at the call, naming the option', () => {
    expect(() => learn(new FakeAgent(), { onInvalid: 'ignore' as never })).toThrow(/"onInvalid"/);
    expect(() => learn(new FakeAgent(), { onSkip: 1 as never })).toThrow(/"onSkip"/);
    expect(() => learn(new FakeAgent(), { onInvaild: 'skip' } as never)).toThrow(/"onInvaild"/);
    expect(() => learn(null as never)).toThrow(TpropError);
  });
});
