// Specification of replayEnvironment: a recording plays back as the same transitions with the
// same spaces, seeds select recorded episodes, and running past the end is a typed error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { Environment } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import {
  CheckpointError,
  EnvironmentError,
  InvalidOptionError,
  ShapeMismatchError,
  StateError,
} from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { sample } from '../../src/environment/space.js';
import { RecordEpisodes } from '../../src/wrappers/record-episodes.js';
import { RECORDING_KIND } from '../../src/wrappers/recording.js';
import type { Recording } from '../../src/wrappers/recording.js';
import { RecordingExhaustedError, replayEnvironment } from '../../src/wrappers/replay-environment.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

const directory = mkdtempSync(join(tmpdir(), 'tprop-replay-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * Plays the checker's sequence (a seeded reset, then `steps` steps with actions drawn from
 * `Rng(seed)`, an unseeded reset after each end) and returns every result, in order.
 */
function play(env: Environment, seed: number, steps: number): unknown[] {
  const actions = new Rng(seed);
  const act = () => (env.actionSpace === null ? undefined : sample(env.actionSpace, actions));
  const results: unknown[] = [env.reset({ seed })];
  for (let i = 0; i < steps; i++) {
    const step = env.step(act());
    results.push(step);
    if (step.terminated || step.truncated) results.push(env.reset());
  }
  return results;
}

function record(inner: Environment, seed = 0, steps = 300): { recording: Recording; results: unknown[] } {
  const recorder = new RecordEpisodes(inner);
  const results = play(recorder, seed, steps);
  return { recording: recorder.recording, results };
}

const sources: Array<[string, () => Environment]> = [
  ['an active environment (Walker)', () => new Walker(5)],
  ['a grammar with info.legalNext (Reber-v0)', () => makeEnvironment('Reber-v0')],
  ['a dict with an optional box (Adding-v0)', () => makeEnvironment('Adding-v0', { length: 7 })],
];

describe('replayEnvironment', () => {
  describe('replay', () => {
    it.each(sources)('replays %s exactly, from memory and from a file', (_, make) => {
      const { recording, results } = record(make(), 3, 120);
      expect(play(replayEnvironment(recording), 3, 120)).toEqual(results);
      const path = join(directory, 'run.rec');
      new RecordEpisodes(make(), { path }).close();
      const recorder = new RecordEpisodes(make());
      play(recorder, 3, 120);
      recorder.save(path);
      const replay = replayEnvironment(path);
      expect(play(replay, 3, 120)).toEqual(results);
      expect(replay.observationSpace).toEqual(make().observationSpace);
      expect(replay.actionSpace).toEqual(make().actionSpace);
    });

    it('carries the spec of the recorded environment', () => {
      const { recording } = record(makeEnvironment('SineMixture-v0', { length: 9 }), 0, 10);
      expect(replayEnvironment(recording).spec).toMatchObject({ id: 'SineMixture-v0', options: { length: 9 } });
    });

    it('returns copies, so editing a replayed observation does not change the next replay', () => {
      const { recording } = record(new Walker(), 0, 3);
      const replay = replayEnvironment(recording);
      const first = replay.reset({ seed: 0 }).observation as Float32Array;
      const kept = Float32Array.from(first);
      first[0] = 42;
      expect(replay.reset({ seed: 0 }).observation).toEqual(kept);
    });

    it("passes checkEnvironment with seedSensitive: false on a recording of the checker's sequence", () => {
      for (const [, make] of sources) {
        const { recording } = record(make(), 0, 300);
        expect(checkEnvironment(() => replayEnvironment(recording), { seedSensitive: false }).steps).toBe(300);
      }
    });

    it("fails checkEnvironment's seed sensitivity: another seed was never recorded", () => {
      const { recording } = record(new Walker(), 0, 300);
      const error = thrown(() => checkEnvironment(() => replayEnvironment(recording)));
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as Error).message).toMatch(
        /^checkEnvironment: expected reset\(\{ seed: 1 \}\) to succeed, but it threw InvalidOptionError/,
      );
    });
  });

  describe('#reset', () => {
    it('rewinds to the first episode recorded with the seed, and moves on to the next without one', () => {
      const recorder = new RecordEpisodes(makeEnvironment('SineMixture-v0', { length: 3 }));
      const a = recorder.reset({ seed: 5 });
      const b = recorder.reset({ seed: 8 });
      const c = recorder.reset();
      const replay = replayEnvironment(recorder.recording);
      expect(replay.reset({ seed: 8 })).toEqual(b);
      expect(replay.reset()).toEqual(c);
      expect(replay.reset({ seed: 5 })).toEqual(a);
      expect(replay.reset()).toEqual(b);
      expect(replay.episodeIndex).toBe(1);
    });

    it('throws InvalidOptionError for a seed the recording never used', () => {
      const recorder = new RecordEpisodes(new Walker());
      recorder.reset({ seed: 5 });
      recorder.reset({ seed: 8 });
      recorder.reset({ seed: 5 });
      const error = thrown(() => replayEnvironment(recorder.recording).reset({ seed: 6 }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'ReplayEnvironment.reset: expected a seed the recording was reset with (one of [5, 8]), but got 6',
      );
    });

    it('throws RecordingExhaustedError on a reset after the last episode', () => {
      const { recording } = record(new Walker(3), 0, 6);
      const replay = replayEnvironment(recording);
      play(replay, 0, 6);
      const error = thrown(() => replay.reset());
      expect(error).toBeInstanceOf(RecordingExhaustedError);
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).code).toBe('ERR_ENVIRONMENT');
      expect((error as Error).message).toBe(
        'ReplayEnvironment.reset: expected a recorded episode to replay, but all 3 have been replayed',
      );
    });
  });

  describe('#step', () => {
    it('throws RecordingExhaustedError past the last recorded step of an unfinished episode', () => {
      const { recording } = record(new Walker(10), 0, 4);
      const replay = replayEnvironment(recording);
      replay.reset({ seed: 0 });
      for (let i = 0; i < 4; i++) replay.step(1);
      const error = thrown(() => replay.step(1));
      expect(error).toBeInstanceOf(RecordingExhaustedError);
      expect((error as Error).message).toBe(
        'ReplayEnvironment.step: expected a recorded step, but the recording of episode 0 stops after 4 steps',
      );
    });

    it('keeps the life cycle: ERR_RESET_NEEDED before a reset, ERR_EPISODE_ENDED after a recorded end', () => {
      const { recording } = record(new Walker(2), 0, 2);
      const replay = replayEnvironment(recording);
      expect((thrown(() => replay.step(0)) as StateError).code).toBe('ERR_RESET_NEEDED');
      replay.reset({ seed: 0 });
      expect(replay.step(0).terminated).toBe(false);
      expect(replay.step(0).terminated).toBe(true);
      const error = thrown(() => replay.step(0));
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('ERR_EPISODE_ENDED');
    });

    it('checks actions against the recorded action space, and refuses one on a passive recording', () => {
      const active = replayEnvironment(record(new Walker(), 0, 3).recording);
      active.reset({ seed: 0 });
      expect(thrown(() => active.step(7))).toBeInstanceOf(ShapeMismatchError);
      const passive = replayEnvironment(record(makeEnvironment('Reber-v0'), 0, 3).recording);
      passive.reset({ seed: 0 });
      const error = thrown(() => passive.step(1));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'ReplayEnvironment.step: expected no action (a passive environment), but got 1',
      );
    });
  });

  describe('loading', () => {
    it('throws CheckpointError on a damaged file, another kind of checkpoint, or a malformed recording', () => {
      const path = join(directory, 'damaged.rec');
      const recorder = new RecordEpisodes(new Walker(), { path });
      recorder.reset({ seed: 0 });
      recorder.close();
      writeFileSync(path, readFileSync(path).subarray(0, 60));
      expect((thrown(() => replayEnvironment(path)) as CheckpointError).code).toBe('ERR_CHECKPOINT_CORRUPT');
      writeCheckpoint(path, { weights: [] }, { kind: 'agent' });
      expect((thrown(() => replayEnvironment(path)) as CheckpointError).code).toBe('ERR_CHECKPOINT_MISMATCH');
      writeCheckpoint(path, { version: 2 }, { kind: RECORDING_KIND });
      expect((thrown(() => replayEnvironment(path)) as CheckpointError).code).toBe('ERR_CHECKPOINT_VERSION');
      const malformed = { ...record(new Walker(), 0, 2).recording, episodes: [{ seed: 'x' }] };
      const error = thrown(() => replayEnvironment(malformed as never));
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).code).toBe('ERR_CHECKPOINT_CORRUPT');
    });

    it("throws node's ENOENT error for a missing file", () => {
      const error = thrown(() => replayEnvironment(join(directory, 'missing.rec')));
      expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    });
  });
});
