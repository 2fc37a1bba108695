// Runs that continue from a saved position: the plain loop, fromEnvironment and LiveRun take a
// `resume` (counters, and the last transition mid-episode) with the environment restored, and go
// on exactly as the uninterrupted run, transition for transition.

import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import type { Transition } from '../../src/agent/agent.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { fromEnvironment } from '../../src/stream/from-environment.js';
import { LiveRun } from '../../src/stream/live-run.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';
import { Walker } from '../wrappers/walker.js';
import { FakeAgent } from './helpers/fake-agent.js';

useEngine();

const plain = (ts: Transition[]): string =>
  JSON.stringify(ts, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));

/** The transitions of a run cut at `cut`: the first part, and a restored environment with its position. */
function cutAt(id: string, seed: number, cut: number) {
  const env = makeEnvironment(id);
  const first = [...environmentTransitions(env, { seed, steps: cut })];
  const last = first.at(-1)!;
  const ended = last.terminated || last.truncated;
  const copy = makeEnvironment(id);
  copy.setState!(env.getState!());
  const resume = { step: cut, episode: last.episode + (ended ? 1 : 0), last: ended ? null : last };
  return { first, copy, resume };
}

describe('environmentTransitions({ resume })', () => {
  it('continues mid-episode and at an episode boundary exactly as the uninterrupted loop', () => {
    const whole = [...environmentTransitions(makeEnvironment('Reber-v0'), { seed: 3, steps: 100 })];
    const boundary = whole.findIndex((t) => t.terminated) + 1;
    for (const cut of [37, boundary]) {
      const { first, copy, resume } = cutAt('Reber-v0', 3, cut);
      expect(resume.last === null).toBe(cut === boundary);
      const rest = [...environmentTransitions(copy, { seed: 3, steps: 100 - cut, resume })];
      expect(plain([...first, ...rest])).toBe(plain(whole));
    }
  });

  it('counts episodes from the resumed position', () => {
    const { copy, resume } = cutAt('Reber-v0', 3, 37);
    const rest = [...environmentTransitions(copy, { episodes: 2, resume })];
    expect(rest.filter((t) => t.terminated)).toHaveLength(2);
    expect(rest[0]!.step).toBe(37);
  });

  it('refuses a position that does not hold together, naming it', () => {
    const env = makeEnvironment('Reber-v0');
    const cases: [unknown, RegExp][] = [
      [{ step: -1, episode: 0, last: null }, /option "resume\.step" to be an integer >= 0/],
      [{ step: 3, episode: 'x', last: null }, /option "resume\.episode" to be an integer >= 0/],
      [{ step: 3, episode: 5, last: null }, /at most one episode per step/],
      [{ step: 3, episode: 0, last: { step: 1, episode: 0 } }, /resume\.last\.step to be 2/],
      [{ step: 3, episode: 0, last: 7 }, /resume\.last to be null or the last transition/],
    ];
    for (const [resume, message] of cases) {
      const error = thrown(() => environmentTransitions(env, { resume: resume as never }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('fromEnvironment({ resume })', () => {
  it('emits the rest of the run', async () => {
    const whole = [...environmentTransitions(makeEnvironment('EmbeddedReber-v0'), { seed: 5, steps: 80 })];
    const { first, copy, resume } = cutAt('EmbeddedReber-v0', 5, 29);
    const rest = await lastValueFrom(fromEnvironment(copy, { steps: 51, resume }).pipe(toArray()));
    expect(plain([...first, ...rest])).toBe(plain(whole));
  });
});

describe('LiveRun({ resume })', () => {
  const options = { layers: [12], window: 4, seed: 2, metricWindow: 50 };
  const space = makeEnvironment('Reber-v0').observationSpace;

  it('continues a saved run exactly: the same agent, the same metrics, the run’s own counters', async () => {
    const whole = new PredictiveAgent(space, options);
    const wholeRun = new LiveRun(whole, makeEnvironment('Reber-v0'), { seed: 1, steps: 300, frameIntervalMs: 1e9 });
    wholeRun.start();
    const expected = await wholeRun.done;

    const agent = new PredictiveAgent(space, options);
    const env = makeEnvironment('Reber-v0');
    const firstRun = new LiveRun(agent, env, { seed: 1, steps: 123, frameIntervalMs: 1e9 });
    firstRun.start();
    await firstRun.done;
    const position = firstRun.position();
    expect(position).toMatchObject({ step: 123, seed: 1, skipped: 0, actions: null });
    const state = agent.getState();
    const envState = env.getState!();
    agent.dispose();

    const resumed = new PredictiveAgent(space, options);
    resumed.setState(state);
    const restored = makeEnvironment('Reber-v0');
    restored.setState!(envState);
    const run = new LiveRun(resumed, restored, { resume: position, steps: 177, frameIntervalMs: 1e9 });
    expect(run.state().step).toBe(123);
    run.start();
    const result = await run.done;
    expect(result.steps).toBe(300);
    expect(result.metrics).toEqual(expected.metrics);
    expect(run.position()).toEqual(wholeRun.position());
    const a = whole.getState().data.stack as { parameters: Float32Array[] };
    const b = resumed.getState().data.stack as { parameters: Float32Array[] };
    a.parameters.forEach((p, i) => expect(Array.from(b.parameters[i]!)).toEqual(Array.from(p)));
    whole.dispose();
    resumed.dispose();
  });

  it('logs the actions of an environment that acts and cannot give its state, across resumes', async () => {
    const walker = new Walker();
    const agent = new FakeAgent({ observationSpace: walker.observationSpace, actionSpace: walker.actionSpace });
    const run = new LiveRun(agent, walker, { seed: 4, steps: 10, frameIntervalMs: 1e9 });
    run.start();
    await run.done;
    const position = run.position();
    // Ten transitions: the reset, then steps, with one reset after the sixth step ends its episode.
    expect(position.actions).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    // The same walker, where the first run left it (a restored run would have replayed to there).
    const next = new LiveRun(agent, walker, { resume: position, steps: 3, frameIntervalMs: 1e9 });
    next.start();
    await next.done;
    expect(next.position().actions).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]);
  });

  it('refuses a seed other than the resumed run’s', () => {
    const position = { step: 0, episode: 0, last: null, seed: 1, skipped: 0, actions: null };
    const error = thrown(
      () => new LiveRun(new FakeAgent(), makeEnvironment('Periodic-v0'), { resume: position, seed: 2 }),
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(
      'LiveRun: expected option "seed" to be the resumed run’s (1) or none, but got 2',
    );
  });
});
