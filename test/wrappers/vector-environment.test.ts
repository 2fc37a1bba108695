// Specification of VectorEnvironment: N copies seeded seed, seed+1, …, stepped together, each
// reset on the step its episode ends ("same-step" autoreset, the old end in info).

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { Environment, Info } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError, StateError } from '../../src/errors.js';
import type { SpaceValue } from '../../src/environment/space.js';
import { VectorEnvironment } from '../../src/wrappers/vector-environment.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

const reber = (): Environment => makeEnvironment('Reber-v0');

/** What one copy should show: a lone environment seeded `seed`, reset by hand where it ends. */
function lone(env: Environment, seed: number, steps: number, action?: (t: number) => SpaceValue) {
  const first = env.reset({ seed });
  const out: Array<{ observation: SpaceValue; reward: number; terminated: boolean; truncated: boolean; info: Info }> =
    [];
  for (let t = 0; t < steps; t++) {
    const step = env.step(action?.(t));
    if (step.terminated || step.truncated) {
      const next = env.reset();
      out.push({
        ...step,
        observation: next.observation,
        info: { ...next.info, finalObservation: step.observation, finalInfo: step.info },
      });
    } else {
      out.push(step);
    }
  }
  return { first, out };
}

describe('VectorEnvironment', () => {
  describe('constructor', () => {
    it.each([
      [undefined, 'VectorEnvironment: expected option "copies" (an integer >= 1), but got none'],
      [{ copies: 0 }, 'VectorEnvironment: expected option "copies" to be an integer >= 1, but got 0'],
      [{ copies: 2, seed: 0.5 }, 'VectorEnvironment: expected option "seed" to be an integer, but got 0.5'],
      [
        { copies: 2, envs: 3 },
        'VectorEnvironment: expected options among [copies, seed, autoreset], but got unknown option "envs"',
      ],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new VectorEnvironment(reber, options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(message);
    });

    it('throws InvalidOptionError when the copies do not share their spaces', () => {
      const error = thrown(
        () =>
          new VectorEnvironment((i) => makeEnvironment('Periodic-v0', { symbols: 4 + i, length: 10 }), { copies: 2 }),
      );
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'VectorEnvironment: expected copy 1 to share the observation space of copy 0 {"kind":"discrete","n":4}, but ' +
          'got {"kind":"discrete","n":5}',
      );
      const mixed = thrown(
        () =>
          new VectorEnvironment(
            (i) =>
              i === 0
                ? new Walker()
                : ({ ...new Walker(), actionSpace: null, reset: () => null, step: () => null } as never),
            { copies: 2 },
          ),
      );
      expect((mixed as Error).message).toBe(
        'VectorEnvironment: expected copy 1 to share the action space of copy 0 {"kind":"discrete","n":3}, but got ' +
          'null',
      );
    });

    it('makes its copies with the factory, by index, and has the spaces of one copy', () => {
      const indices: number[] = [];
      const vec = new VectorEnvironment(
        (i) => {
          indices.push(i);
          return new Walker();
        },
        { copies: 3, seed: 7 },
      );
      expect(indices).toEqual([0, 1, 2]);
      expect([vec.copies, vec.seed, vec.environments.length]).toEqual([3, 7, 3]);
      expect(vec.observationSpace).toEqual({ kind: 'box', shape: [2], low: -Infinity, high: Infinity });
      expect(vec.actionSpace).toEqual({ kind: 'discrete', n: 3 });
    });
  });

  describe('#reset', () => {
    it('seeds copy i with seed + i at the first reset, so the copies differ', () => {
      const vec = new VectorEnvironment(() => makeEnvironment('SineMixture-v0'), { copies: 3, seed: 10 });
      const { observations, infos } = vec.reset();
      for (let i = 0; i < 3; i++) {
        const expected = makeEnvironment('SineMixture-v0').reset({ seed: 10 + i });
        expect(observations[i]).toEqual(expected.observation);
        expect(infos[i]).toEqual(expected.info);
      }
      expect(new Set(observations.map((o) => (o as Float32Array)[0])).size).toBe(3);
    });

    it('continues each copy unseeded on later resets, and reseeds with seed + i when given one', () => {
      const vec = new VectorEnvironment(() => makeEnvironment('SineMixture-v0'), { copies: 2 });
      vec.reset();
      const again = vec.reset();
      const reseeded = vec.reset({ seed: 4 });
      for (let i = 0; i < 2; i++) {
        const env = makeEnvironment('SineMixture-v0');
        env.reset({ seed: i });
        expect(again.observations[i]).toEqual(env.reset().observation);
        expect(reseeded.observations[i]).toEqual(makeEnvironment('SineMixture-v0').reset({ seed: 4 + i }).observation);
      }
    });
  });

  describe('#step', () => {
    it('steps every copy, and each copy is the lone environment with same-step autoreset', () => {
      const vec = new VectorEnvironment(reber, { copies: 3, seed: 2 });
      const first = vec.reset();
      const steps = Array.from({ length: 40 }, () => vec.step());
      for (let i = 0; i < 3; i++) {
        const expected = lone(reber(), 2 + i, 40);
        expect(first.observations[i]).toEqual(expected.first.observation);
        expect(
          steps.map((s) => ({
            observation: s.observations[i],
            reward: s.rewards[i],
            terminated: s.terminated[i],
            truncated: s.truncated[i],
            info: s.infos[i],
          })),
        ).toEqual(expected.out);
      }
      // Reber strings differ in length, so the copies end on different steps.
      const ends = (i: number) => steps.flatMap((s, t) => (s.terminated[i] ? [t] : []));
      expect(ends(0)).not.toEqual(ends(1));
    });

    it('returns the first observation of a new episode where one ended, the old end in finalObservation/Info', () => {
      const vec = new VectorEnvironment(() => makeEnvironment('SineMixture-v0', { length: 3 }), { copies: 2 });
      vec.reset();
      const lone0 = makeEnvironment('SineMixture-v0', { length: 3 });
      lone0.reset({ seed: 0 });
      lone0.step();
      const end = lone0.step();
      const next = lone0.reset();
      expect(vec.step().truncated).toEqual([false, false]);
      const step = vec.step();
      expect(step.truncated).toEqual([true, true]);
      expect(step.terminated).toEqual([false, false]);
      expect(step.observations[0]).toEqual(next.observation);
      expect(step.infos[0]).toEqual({
        phases: next.info.phases,
        finalObservation: end.observation,
        finalInfo: { t: 2 },
      });
      expect(vec.step().infos[0]).toEqual({ t: 1 });
    });

    it('hands copy i its action i and returns per-copy rewards', () => {
      const vec = new VectorEnvironment(() => new Walker(3), { copies: 2, seed: 5 });
      vec.reset();
      const actions = [0, 2];
      const steps = Array.from({ length: 7 }, () => vec.step(actions));
      for (let i = 0; i < 2; i++) {
        const expected = lone(new Walker(3), 5 + i, 7, () => actions[i]!);
        expect(steps.map((s) => s.rewards[i])).toEqual(expected.out.map((o) => o.reward));
        expect(steps.map((s) => s.terminated[i])).toEqual([false, false, true, false, false, true, false]);
      }
    });

    it('throws InvalidOptionError on missing or miscounted actions, or actions for passive copies', () => {
      const active = new VectorEnvironment(() => new Walker(), { copies: 2 });
      active.reset();
      expect((thrown(() => active.step()) as Error).message).toBe(
        'VectorEnvironment.step: expected an array of 2 actions, but got undefined',
      );
      expect((thrown(() => active.step([1])) as Error).message).toBe(
        'VectorEnvironment.step: expected an array of 2 actions, but got Array(1)',
      );
      const passive = new VectorEnvironment(reber, { copies: 2 });
      passive.reset();
      const error = thrown(() => passive.step([0, 0]));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'VectorEnvironment.step: expected no actions (passive environments), but got Array(2)',
      );
    });

    it('throws StateError ERR_RESET_NEEDED before the first reset, and after a copy threw', () => {
      const vec = new VectorEnvironment(() => new Walker(), { copies: 2 });
      expect((thrown(() => vec.step([1, 1])) as StateError).code).toBe('ERR_RESET_NEEDED');
      vec.reset();
      expect(thrown(() => vec.step([1, 9]))).toBeInstanceOf(Error);
      const error = thrown(() => vec.step([1, 1]));
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('ERR_RESET_NEEDED');
      vec.reset();
      expect(vec.step([1, 1]).rewards).toHaveLength(2);
    });
  });

  describe('#close', () => {
    it('closes every copy', () => {
      const vec = new VectorEnvironment(() => new Walker(), { copies: 3 });
      vec.close();
      expect(vec.environments.map((env) => (env as Walker).closed)).toEqual([1, 1, 1]);
    });
  });

  describe('checkEnvironment', () => {
    it('passes on each copy the factory makes', () => {
      const vec = new VectorEnvironment(() => makeEnvironment('Adding-v0', { length: 6 }), { copies: 2 });
      expect(
        checkEnvironment(
          () =>
            new VectorEnvironment(() => makeEnvironment('Adding-v0', { length: 6 }), { copies: 2 }).environments[1]!,
        ).episodes,
      ).toBe(60);
      expect(vec.environments[0]).not.toBe(vec.environments[1]);
    });
  });

  describe('autoreset: next-step', () => {
    it('gives each copy exactly the transitions a lone copy gives, a reset taking a step of its own', () => {
      const vec = new VectorEnvironment(() => makeEnvironment('TemporalOrder-v0', { length: 5 }), {
        copies: 2,
        seed: 3,
        autoreset: 'next-step',
      });
      const start = vec.reset();
      const lone = makeEnvironment('TemporalOrder-v0', { length: 5 });
      const seen: unknown[] = [lone.reset({ seed: 4 }).observation];
      const got: unknown[] = [start.observations[1]];
      let ended = false;
      for (let t = 0; t < 12; t++) {
        const r = vec.step();
        got.push(r.observations[1]);
        if (ended) {
          expect(r.infos[1]!.reset).toBe(true);
          expect([r.rewards[1], r.terminated[1], r.truncated[1]]).toEqual([0, false, false]);
          seen.push(lone.reset().observation);
        } else seen.push(lone.step().observation);
        ended = r.terminated[1]! || r.truncated[1]!;
      }
      expect(got).toEqual(seen);
    });
  });
});
