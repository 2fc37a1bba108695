// Specification of immediateScheduler: one macrotask per action, so timers run between them.

import { describe, expect, it } from 'vitest';
import { immediateScheduler } from '../../src/stream/immediate-scheduler.js';
import { sleep } from './helpers/marbles.js';

describe('immediateScheduler', () => {
  it('runs an action later, never synchronously', async () => {
    const log: string[] = [];
    immediateScheduler.schedule(() => log.push('action'));
    log.push('after schedule');
    await Promise.resolve();
    expect(log).toEqual(['after schedule']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['after schedule', 'action']);
  });

  it('lets a timer fire between the turns of a self-rescheduling action', async () => {
    let turns = 0;
    let firedAt = -1;
    const done = new Promise<void>((resolve) =>
      immediateScheduler.schedule(function (this: { schedule(): unknown }) {
        // The timer is set in the first turn, so it cannot fire before the loop starts (on a busy
        // machine a timer set beside the first schedule could already be due when it did).
        if (turns === 0) setTimeout(() => (firedAt = turns), 1);
        const until = performance.now() + 0.2;
        while (performance.now() < until);
        if (++turns < 200) this.schedule();
        else resolve();
      }),
    );
    await done;
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(200);
  });

  it('waits for a delay on a timer', async () => {
    const start = performance.now();
    let ranAfter = -1;
    immediateScheduler.schedule(() => (ranAfter = performance.now() - start), 15);
    await sleep(40);
    expect(ranAfter).toBeGreaterThanOrEqual(14);
  });

  it('cancels an action that is unsubscribed before it runs', async () => {
    let ran = false;
    immediateScheduler.schedule(() => (ran = true)).unsubscribe();
    immediateScheduler.schedule(() => (ran = true), 5).unsubscribe();
    await sleep(15);
    expect(ran).toBe(false);
  });

  it('passes the state along, and tells the time', async () => {
    const state = await new Promise((resolve) => immediateScheduler.schedule((s) => resolve(s), 0, 'hello'));
    expect(state).toBe('hello');
    expect(Math.abs(immediateScheduler.now() - Date.now())).toBeLessThan(5);
  });
});
