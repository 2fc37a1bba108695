// Specification of RecordEpisodes: every reset (with its seed) and step (with its action) is
// kept as the environment returned it, reported per episode, and saved atomically on request.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { readCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { Environment, Info, ResetResult, StepResult } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { EnvironmentError, InvalidOptionError, StateError } from '../../src/errors.js';
import { RecordEpisodes } from '../../src/wrappers/record-episodes.js';
import type { RecordedEpisode } from '../../src/wrappers/recording.js';
import { RECORDING_KIND, loadRecording } from '../../src/wrappers/recording.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

const directory = mkdtempSync(join(tmpdir(), 'tprop-record-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('RecordEpisodes', () => {
  describe('constructor', () => {
    it.each([
      [{ path: '' }, 'RecordEpisodes: expected option "path" to be a non-empty string, but got ""'],
      [{ path: 5 }, 'RecordEpisodes: expected option "path" to be a non-empty string, but got 5'],
      [{ onEpisode: 'log' }, 'RecordEpisodes: expected option "onEpisode" to be a function, but got "log"'],
      [{ file: 'a' }, 'RecordEpisodes: expected options among [path, onEpisode], but got unknown option "file"'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new RecordEpisodes(new Walker(), options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(message);
    });
  });

  describe('recording', () => {
    it('keeps each reset with its seed and each step with its action, exactly as returned', () => {
      const env = new RecordEpisodes(new Walker(2));
      const resets: ResetResult[] = [env.reset({ seed: 4 })];
      const steps: StepResult[] = [env.step(0), env.step(2)];
      resets.push(env.reset());
      steps.push(env.step(1));
      const recording = env.recording;
      expect(recording.version).toBe(1);
      expect(recording.observationSpace).toEqual({ kind: 'box', shape: [2], low: -Infinity, high: Infinity });
      expect(recording.actionSpace).toEqual({ kind: 'discrete', n: 3 });
      expect(recording.episodes).toEqual([
        {
          seed: 4,
          ...resets[0],
          steps: [
            { action: 0, ...steps[0] },
            { action: 2, ...steps[1] },
          ],
        },
        { seed: null, ...resets[1], steps: [{ action: 1, ...steps[2] }] },
      ]);
      expect(env.episodeCount).toBe(2);
    });

    it('records copies, so editing a returned result does not change the recording', () => {
      const env = new RecordEpisodes(new Walker());
      const first = env.reset({ seed: 0 });
      const kept = Float32Array.from(first.observation as Float32Array);
      (first.observation as Float32Array)[0] = 99;
      (first.info as Info).start = 'edited';
      expect(env.recording.episodes[0]!.observation).toEqual(kept);
      expect(env.recording.episodes[0]!.info.start).toBeTypeOf('number');
    });

    it('calls onEpisode with each episode as it ends, and its index', () => {
      const seen: Array<[number, number, number | null]> = [];
      const env = new RecordEpisodes(makeEnvironment('SineMixture-v0', { length: 4 }), {
        onEpisode: (episode: RecordedEpisode, index: number) => seen.push([index, episode.steps.length, episode.seed]),
      });
      env.reset({ seed: 1 });
      for (let i = 0; i < 3; i++) env.step();
      env.reset();
      env.step();
      expect(seen).toEqual([[0, 3, 1]]);
      env.step();
      env.step();
      expect(seen).toEqual([
        [0, 3, 1],
        [1, 3, null],
      ]);
    });

    it('keeps an episode cut off by a reset, and records nothing for a step that throws', () => {
      const env = new RecordEpisodes(new Walker(2));
      env.reset({ seed: 0 });
      env.step(1);
      env.reset({ seed: 1 });
      env.step(1);
      env.step(1);
      expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_EPISODE_ENDED');
      expect(env.recording.episodes.map((e) => [e.seed, e.steps.length])).toEqual([
        [0, 1],
        [1, 2],
      ]);
    });

    it('throws StateError ERR_RESET_NEEDED on a step before any reset', () => {
      const error = thrown(() => new RecordEpisodes(new Walker()).step(0));
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('ERR_RESET_NEEDED');
    });

    it('throws EnvironmentError on a result that is not data', () => {
      const inner = new Walker();
      const env = new RecordEpisodes({
        ...inner,
        observationSpace: inner.observationSpace,
        actionSpace: inner.actionSpace,
        reset: () => ({ observation: Float32Array.of(0, 0), info: { callback: () => 1 } }),
        step: inner.step.bind(inner),
      } as Environment);
      const error = thrown(() => env.reset());
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as Error).message).toBe(
        'RecordEpisodes.reset: expected plain data in the result, but it cannot be copied: a function is not data',
      );
    });

    it('passes checkEnvironment on passive and active environments', () => {
      expect(checkEnvironment(() => new RecordEpisodes(makeEnvironment('Reber-v0'))).steps).toBe(300);
      expect(checkEnvironment(() => new RecordEpisodes(new Walker()))).toEqual({ steps: 300, episodes: 50 });
    });
  });

  describe('#save, #close', () => {
    it('saves the run with its spaces and spec as a recording checkpoint, bit-exact', () => {
      const env = new RecordEpisodes(makeEnvironment('Adding-v0', { length: 5 }));
      env.reset({ seed: 3 });
      for (let i = 0; i < 6; i++) if (env.step().terminated) env.reset();
      const path = join(directory, 'adding.rec');
      env.save(path);
      const loaded = loadRecording(path);
      expect(loaded).toEqual(env.recording);
      expect(loaded.spec).toEqual({ id: 'Adding-v0', description: env.spec!.description, options: { length: 5 } });
      const bits = (episode: RecordedEpisode): number[] =>
        episode.steps.flatMap((s) => [
          ...new Uint32Array(Float32Array.from((s.observation as { observation: Float32Array }).observation).buffer),
        ]);
      expect(loaded.episodes.map(bits)).toEqual(env.recording.episodes.map(bits));
      expect(readCheckpoint(path, { kind: RECORDING_KIND })).toEqual(env.recording);
    });

    it('saves to the path option on close, then closes the inner environment', () => {
      const inner = new Walker();
      const path = join(directory, 'walker.rec');
      const env = new RecordEpisodes(inner, { path });
      env.reset({ seed: 0 });
      env.step(1);
      env.close();
      expect(inner.closed).toBe(1);
      expect(loadRecording(path).episodes[0]!.steps).toHaveLength(1);
      expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });

    it('throws InvalidOptionError when saving with no path at all', () => {
      const error = thrown(() => new RecordEpisodes(new Walker()).save());
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'RecordEpisodes.save: expected a path (as argument or as the "path" option), but got none',
      );
    });
  });
});
