// The optional state of the environment contract: every built-in environment (and the wrappers
// around one) gives its whole state mid-episode, and a fresh instance restored from it goes on
// exactly; a state it cannot take is a CheckpointError that changes nothing.

import { describe, expect, it } from 'vitest';
import { BUILTIN_ENVIRONMENT_IDS } from '../../environments/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { type Environment, canGiveState, wholeState } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { CheckpointError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { NormalizeObservation } from '../../src/wrappers/normalize-observation.js';
import { RecordEpisodes } from '../../src/wrappers/record-episodes.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { thrown } from '../helpers/thrown.js';
import { Walker } from '../wrappers/walker.js';

/** `n` results of reset-or-step, as text, continuing the episode the environment is in (if any). */
function go(env: Environment, n: number, running: boolean): string[] {
  const out: string[] = [];
  let inEpisode = running;
  for (let i = 0; i < n; i++) {
    // An environment that acts takes a fixed cycle of actions, so both copies get the same ones.
    const space = env.actionSpace;
    const action = space?.kind === 'discrete' ? i % space.n : undefined;
    const result = inEpisode ? env.step(action) : env.reset();
    out.push(JSON.stringify(result, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
    const ended =
      'terminated' in result && (result.terminated || (result as unknown as { truncated: boolean }).truncated);
    inEpisode = !ended;
  }
  return out;
}

/** Through a checkpoint's codec, as a saved run would carry it. */
const carried = (state: unknown): unknown =>
  decodeCheckpoint(encodeCheckpoint(state, { kind: 'state' }), { kind: 'state' });

const OPTIONS: Record<string, Record<string, unknown>> = {
  'SineMixture-v0': { noise: 0.1, length: 30 },
  'MobyDick-v0': { length: 40 },
};

describe('Environment#getState, #setState', () => {
  it.each(BUILTIN_ENVIRONMENT_IDS)('%s: a fresh instance restored mid-episode goes on exactly', (id) => {
    const options = OPTIONS[id] ?? {};
    const env = makeEnvironment(id, options);
    env.reset({ seed: 4 });
    go(env, 57, true);
    // Mid-episode (the run goes on with a step), after several episodes.
    const state = carried(wholeState(env));
    expect(state).toBeDefined();
    const copy = makeEnvironment(id, options);
    copy.setState!(state);
    expect(go(copy, 200, true)).toEqual(go(env, 200, true));
  });

  it('restores between episodes too, and through TimeLimit and NormalizeObservation', () => {
    const make = () => new NormalizeObservation(new TimeLimit(makeEnvironment('SineMixture-v0'), { maxSteps: 7 }));
    const env = make();
    env.reset({ seed: 1 });
    go(env, 7, true);
    const between = carried(env.getState());
    const copy = make();
    copy.setState(between as never);
    expect(go(copy, 40, false)).toEqual(go(env, 40, false));
    go(env, 3, false);
    const mid = carried(env.getState());
    const again = make();
    again.setState(mid as never);
    expect(go(again, 40, true)).toEqual(go(env, 40, true));
  });

  it('is not whole around an environment without one, nor through a recorder', () => {
    expect(canGiveState(new TimeLimit(new Walker(), { maxSteps: 5 }))).toBe(false);
    expect(wholeState(new TimeLimit(new Walker(), { maxSteps: 5 }))).toBeUndefined();
    expect(wholeState(new NormalizeObservation(new Walker()))).toBeUndefined();
    expect(wholeState(new RecordEpisodes(makeEnvironment('Reber-v0')))).toBeUndefined();
    expect(wholeState(makeEnvironment('Reber-v0'))).toBeDefined();
  });

  it('refuses malformed state (CORRUPT) and another environment’s (MISMATCH), changing nothing', () => {
    const env = makeEnvironment('TemporalOrder-v0');
    const stream = [...environmentTransitions(env, { steps: 14, seed: 2 })];
    expect(stream.at(-1)!.terminated).toBe(false);
    // biome-ignore lint/suspicious/noExplicitAny: the state is edited freely, to break it.
    const good = env.getState!() as Record<string, any>;
    const reber = makeEnvironment('Reber-v0');
    reber.reset({ seed: 1 });
    const cases: [unknown, string, RegExp][] = [
      [null, 'ERR_CHECKPOINT_CORRUPT', /^TemporalOrder\.setState: expected the state to be an object/],
      [reber.getState!(), 'ERR_CHECKPOINT_MISMATCH', /expected the state of a TemporalOrder, but got one of "Reber/],
      [{ ...good, rng: { s: [0, 0, 0, 0], spare: null } }, 'ERR_CHECKPOINT_CORRUPT', /rng\.s to be words that/],
      [{ ...good, phase: 'paused' }, 'ERR_CHECKPOINT_CORRUPT', /expected phase to be one of fresh, running, ended/],
      [
        { ...good, episode: { ...good.episode, sequence: [0, 1] } },
        'ERR_CHECKPOINT_CORRUPT',
        /expected episode\.sequence to be an array of 10/,
      ],
      [{ ...good, episode: { ...good.episode, t: -1 } }, 'ERR_CHECKPOINT_CORRUPT', /expected episode\.t to be an/],
      [{ ...good, episode: { ...good.episode, label: 'x' } }, 'ERR_CHECKPOINT_CORRUPT', /episode\.label/],
    ];
    const next = makeEnvironment('TemporalOrder-v0');
    next.reset({ seed: 9 });
    const before = JSON.stringify(next.getState!());
    for (const [state, code, message] of cases) {
      const error = thrown(() => next.setState!(state));
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).code).toBe(code);
      expect((error as Error).message).toMatch(message);
      expect(JSON.stringify(next.getState!())).toBe(before);
    }
    const wrapped = new TimeLimit(makeEnvironment('TemporalOrder-v0'), { maxSteps: 3 });
    wrapped.reset({ seed: 9 });
    const inside = JSON.stringify(wrapped.getState());
    const bad = { wrapper: 'TimeLimit', inner: good, own: { elapsed: -2, ended: false } };
    expect(thrown(() => wrapped.setState(bad))).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPT' });
    expect(JSON.stringify(wrapped.getState())).toBe(inside);
  });
});
