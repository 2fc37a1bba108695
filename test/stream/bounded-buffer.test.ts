// Specification of boundedBuffer: a bounded queue before a slow consumer, whose drops are
// counted exactly (virtual time for the policies, real timers for a fast source).

import { describe, expect, it } from 'vitest';
import { Observable } from 'rxjs';
import { TpropError } from '../../src/errors.js';
import { boundedBuffer } from '../../src/stream/bounded-buffer.js';
import type { Buffered, OverflowPolicy } from '../../src/stream/bounded-buffer.js';
import { busyWait, sleep, testScheduler } from './helpers/marbles.js';

const item = (value: string, dropped = 0): Buffered<string> => ({ value, dropped });

/** A source pushing `burst` numbers every millisecond until `total`, which stops pushing while paused. */
function fastSource(total: number, burst: number) {
  let produced = 0;
  let paused = false;
  let pauses = 0;
  const source = new Observable<number>((subscriber) => {
    const timer = setInterval(() => {
      for (let i = 0; i < burst && !paused && produced < total; i++) subscriber.next(produced++);
      if (produced >= total) {
        clearInterval(timer);
        subscriber.complete();
      }
    }, 1);
    return () => clearInterval(timer);
  });
  return {
    source,
    produced: () => produced,
    pauses: () => pauses,
    pause: () => {
      paused = true;
      pauses++;
    },
    resume: () => (paused = false),
  };
}

/** Runs a slow synchronous consumer (busy `workMs` per item) to completion. */
function consume<T>(source: Observable<Buffered<T>>, workMs: number): Promise<Buffered<T>[]> {
  const seen: Buffered<T>[] = [];
  return new Promise((resolve, reject) =>
    source.subscribe({
      next: (b) => {
        seen.push(b);
        busyWait(workMs);
      },
      error: reject,
      complete: () => resolve(seen),
    }),
  );
}

describe('boundedBuffer', () => {
  it('hands items on unchanged while the consumer keeps up (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|');
      expectObservable(source.pipe(boundedBuffer<string>({ capacity: 2, policy: 'drop-oldest', scheduler }))).toBe(
        'a-b-c|',
        {
          a: item('a'),
          b: item('b'),
          c: item('c'),
        },
      );
    });
  });

  it('drop-oldest keeps the newest items of a burst and counts the rest (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('(abcde|)').pipe(boundedBuffer<string>({ capacity: 2, policy: 'drop-oldest', scheduler })),
      ).toBe('(de|)', {
        d: item('d', 3),
        e: item('e', 3),
      });
      expectObservable(
        cold('(abc)-(de)|').pipe(boundedBuffer<string>({ capacity: 2, policy: 'drop-oldest', scheduler })),
      ).toBe('(bc)--(de)|', {
        b: item('b', 1),
        c: item('c', 1),
        d: item('d', 1),
        e: item('e', 1),
      });
    });
  });

  it('drop-newest keeps the oldest items of a burst and counts the rest (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('(abcde|)').pipe(boundedBuffer<string>({ capacity: 2, policy: 'drop-newest', scheduler })),
      ).toBe('(ab|)', {
        a: item('a', 3),
        b: item('b', 3),
      });
    });
  });

  it('pause pauses at the high-water mark, resumes below half, and never drops (marbles)', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    scheduler.run(({ cold, expectObservable, flush }) => {
      const buffer = boundedBuffer<string>({
        capacity: 2,
        policy: 'pause',
        pause: () => log.push(`pause@${scheduler.now()}`),
        resume: () => log.push(`resume@${scheduler.now()}`),
        scheduler,
      });
      expectObservable(cold('(abcde|)').pipe(buffer)).toBe('(abcde|)', {
        a: item('a'),
        b: item('b'),
        c: item('c'),
        d: item('d'),
        e: item('e'),
      });
      flush();
      expect(buffer.stats()).toEqual({ received: 5, delivered: 5, dropped: 0, queued: 0, paused: false });
    });
    expect(log).toEqual(['pause@0', 'resume@0']);
  });

  it('drains what is queued before passing on an error (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const error = new Error('feed lost');
      expectObservable(
        cold('(abc#)', undefined, error).pipe(boundedBuffer<string>({ capacity: 5, policy: 'drop-newest', scheduler })),
      ).toBe('(abc#)', { a: item('a'), b: item('b'), c: item('c') }, error);
    });
  });

  for (const policy of ['drop-oldest', 'drop-newest'] as const satisfies readonly OverflowPolicy[]) {
    it(`${policy}: counts exactly the items that never reached a slower consumer`, async () => {
      const feed = fastSource(60, 3);
      const buffer = boundedBuffer<number>({ capacity: 5, policy });
      const seen = await consume(feed.source.pipe(buffer), 2);
      const dropped = feed.produced() - seen.length;
      expect(feed.produced()).toBe(60);
      expect(dropped).toBeGreaterThan(0);
      expect(seen.at(-1)!.dropped).toBe(dropped);
      expect(buffer.stats()).toEqual({ received: 60, delivered: seen.length, dropped, queued: 0, paused: false });
      // The running totals never go down, and what arrived came in order.
      expect(seen.every((b, i) => i === 0 || b.dropped >= seen[i - 1]!.dropped)).toBe(true);
      expect(seen.every((b, i) => i === 0 || b.value > seen[i - 1]!.value)).toBe(true);
      if (policy === 'drop-newest') expect(seen.slice(0, 5).map((b) => b.value)).toEqual([0, 1, 2, 3, 4]);
      else expect(seen.at(-1)!.value).toBe(59);
    });
  }

  it('pause: pauses a pausable source, delivers every item, drops none', async () => {
    const feed = fastSource(60, 3);
    const buffer = boundedBuffer<number>({ capacity: 5, policy: 'pause', pause: feed.pause, resume: feed.resume });
    const seen = await consume(feed.source.pipe(buffer), 2);
    expect(seen.map((b) => b.value)).toEqual([...Array(60).keys()]);
    expect(seen.every((b) => b.dropped === 0)).toBe(true);
    expect(feed.pauses()).toBeGreaterThan(0);
    expect(buffer.stats()).toMatchObject({ received: 60, delivered: 60, dropped: 0 });
  });

  it('stops delivering when unsubscribed', async () => {
    const feed = fastSource(1000, 1);
    const buffer = boundedBuffer<number>({ capacity: 10, policy: 'drop-oldest' });
    let count = 0;
    const sub = feed.source.pipe(buffer).subscribe(() => count++);
    await sleep(10);
    sub.unsubscribe();
    const seen = count;
    await sleep(10);
    expect(count).toBe(seen);
    expect(buffer.stats().queued).toBe(0);
  });

  it('rejects invalid options at the call, naming the option', () => {
    expect(() => boundedBuffer({ capacity: 0, policy: 'drop-oldest' })).toThrow(/"capacity"/);
    expect(() => boundedBuffer({ policy: 'drop-oldest' } as never)).toThrow(/"capacity"/);
    expect(() => boundedBuffer({ capacity: 2, policy: 'drop-middle' as never })).toThrow(/"policy"/);
    expect(() => boundedBuffer({ capacity: 2, policy: 'pause', resume: () => {} })).toThrow(/"pause"/);
    expect(() => boundedBuffer({ capacity: 2, policy: 'pause', pause: () => {} })).toThrow(/"resume"/);
    expect(() => boundedBuffer({ capacity: 2, policy: 'drop-newest', size: 3 } as never)).toThrow(TpropError);
  });
});
