// Specification of LiveRun: a steerable run for the viewer, on real (short) timers.

import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Frame } from '../../src/agent/snapshot.js';
import type { RunController } from '../../server/run-controller.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { TpropError } from '../../src/errors.js';
import { LiveRun } from '../../src/stream/live-run.js';
import type { LiveRunOptions } from '../../src/stream/live-run.js';
import type { StepEvent } from '../../src/stream/learn.js';
import { FakeAgent } from './helpers/fake-agent.js';
import type { FakeAgentOptions } from './helpers/fake-agent.js';
import { FakeEnvironment } from './helpers/fake-environment.js';
import { sleep } from './helpers/marbles.js';

function liveRun(options: LiveRunOptions = {}, agentOptions: FakeAgentOptions = {}) {
  const agent = new FakeAgent(agentOptions);
  const env = makeEnvironment('Periodic-v0');
  const run = new LiveRun(agent, env, options);
  const frames: Frame[] = [];
  const events: StepEvent[] = [];
  const ends: string[] = [];
  run.frames.subscribe({
    next: (f) => frames.push(f),
    error: () => ends.push('frames error'),
    complete: () => ends.push('frames complete'),
  });
  run.events.subscribe({
    next: (e) => events.push(e),
    error: () => ends.push('events error'),
    complete: () => ends.push('events complete'),
  });
  return { agent, env, run, frames, events, ends };
}

describe('LiveRun', () => {
  it('is a RunController for the viewer', () => {
    const run: RunController = new LiveRun(new FakeAgent(), makeEnvironment('Periodic-v0'));
    expectTypeOf(run.state()).toEqualTypeOf<{
      readonly paused: boolean;
      readonly step: number;
      readonly stepsPerSecond: number;
    }>();
    for (const method of ['state', 'pause', 'resume', 'step'] as const) expect(typeof run[method]).toBe('function');
  });

  it('names the environment in its topology', () => {
    const { run } = liveRun();
    expect(run.topology).toMatchObject({ agent: 'fake', environment: 'Periodic-v0' });
  });

  it('does nothing before start(), then learns to `steps` and resolves done with the final metrics', async () => {
    const { agent, env, run, frames, events, ends } = liveRun({ steps: 500, seed: 1 });
    await sleep(5);
    expect(agent.observeCalls).toBe(0);
    run.start();
    const result = await run.done;
    expect(result).toEqual({ steps: 500, skipped: 0, metrics: agent.metrics() });
    expect(run.state()).toMatchObject({ step: 500, stepsPerSecond: 0 });
    expect(events.map((e) => e.transition.step)).toEqual([...Array(500).keys()]);
    expect(frames.at(-1)!.step).toBe(500);
    expect(ends).toEqual(['frames complete', 'events complete']);
    expect([agent.disposeCalls, (env as unknown as { closeCalls?: number }).closeCalls ?? 0]).toEqual([0, 0]);
  });

  it('ends after `episodes` finished episodes', async () => {
    const run = new LiveRun(new FakeAgent(), new FakeEnvironment({ episodeLength: 5 }), { episodes: 3 });
    run.start();
    expect((await run.done).steps).toBe(15);
  });

  it('pauses and resumes; steps per second is 0 while paused', async () => {
    const { run } = liveRun({ yieldEvery: 16 });
    run.start();
    await sleep(60);
    const running = run.state();
    expect(running.paused).toBe(false);
    expect(running.step).toBeGreaterThan(0);
    expect(running.stepsPerSecond).toBeGreaterThan(0);
    run.pause();
    const held = run.state();
    expect(held).toMatchObject({ paused: true, stepsPerSecond: 0 });
    await sleep(20);
    expect(run.state().step).toBe(held.step);
    run.resume();
    await sleep(20);
    expect(run.state().step).toBeGreaterThan(held.step);
    run.stop();
  });

  it('takes exactly one step and emits its frame on step() while paused', async () => {
    const { agent, run, frames } = liveRun();
    run.pause();
    run.start();
    await sleep(10);
    expect(agent.observeCalls).toBe(0);
    run.step();
    run.step();
    expect(agent.observeCalls).toBe(2);
    expect(run.state()).toMatchObject({ paused: true, step: 2, stepsPerSecond: 0 });
    expect(frames.map((f) => f.step)).toEqual([1, 2]);
    run.stop();
  });

  it('ignores step() while running and after the end', async () => {
    const { agent, run } = liveRun();
    run.start();
    run.step();
    expect(agent.observeCalls).toBe(0);
    run.stop();
    run.pause();
    run.step();
    expect(agent.observeCalls).toBe(0);
  });

  it('emits frames at most every frameIntervalMs while running, carrying the run’s rate', async () => {
    const { run, frames } = liveRun({ frameIntervalMs: 40 });
    run.start();
    await sleep(110);
    run.stop();
    await run.done;
    // One at once, about one per 40 ms after it, and the last one at stop.
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeLessThanOrEqual(6);
    expect(frames.slice(1, -1).some((f) => f.stepsPerSecond > 0)).toBe(true);
  });

  it('stop() ends the run: done resolves with the steps so far, the streams complete', async () => {
    const { run, ends } = liveRun();
    run.start();
    await sleep(15);
    run.stop();
    const result = await run.done;
    expect(result.steps).toBe(run.state().step);
    expect(ends).toEqual(['frames complete', 'events complete']);
    run.resume();
    await sleep(5);
    expect(run.state().step).toBe(result.steps);
  });

  it('an error from the agent stops the run, rejects done and errors frames and events', async () => {
    const { run, ends } = liveRun({}, { failOn: (t) => t.step === 100 });
    run.start();
    await expect(run.done).rejects.toThrow(/marked failure at step 100/);
    expect(run.state().step).toBe(101);
    expect(ends).toEqual(['frames error', 'events error']);
  });

  it('an error from the environment does the same, with its typed error', async () => {
    const run = new LiveRun(new FakeAgent(), new FakeEnvironment({ throwAt: 10, episodeLength: 100 }));
    run.start();
    await expect(run.done).rejects.toMatchObject({ code: 'ERR_ENVIRONMENT' });
  });

  it('skips and counts invalid observations with onInvalid "skip"', async () => {
    const run = new LiveRun(new FakeAgent(), new FakeEnvironment({ nanAt: [3, 4] }), { steps: 20, onInvalid: 'skip' });
    run.start();
    expect(await run.done).toMatchObject({ steps: 20, skipped: 2 });
  });

  it('has hot streams: a late subscriber sees only what comes after it', async () => {
    const { run, events } = liveRun({ steps: 300, yieldEvery: 50 });
    run.start();
    await new Promise((resolve) => setImmediate(resolve));
    const late: number[] = [];
    run.events.subscribe((e) => late.push(e.transition.step));
    await run.done;
    expect(events).toHaveLength(300);
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(300);
    expect(late.at(-1)).toBe(299);
  });

  it('rejects invalid options at construction, naming the option', () => {
    const make = (options: LiveRunOptions) => () =>
      new LiveRun(new FakeAgent(), makeEnvironment('Periodic-v0'), options);
    expect(make({ frameIntervalMs: -1 })).toThrow(/"frameIntervalMs"/);
    expect(make({ yieldEvery: 0 })).toThrow(/"yieldEvery"/);
    expect(make({ steps: 1.5 })).toThrow(/"steps"/);
    expect(make({ fps: 60 } as never)).toThrow(TpropError);
  });
});
