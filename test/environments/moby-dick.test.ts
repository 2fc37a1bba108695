// Specification of MobyDick-v0: the novel folded onto a 34-symbol alphabet, read in windows at
// seeded offsets, loaded once per process.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import {
  MOBY_DICK_ALPHABET,
  MobyDick,
  decodeMobyDick,
  encodeMobyDickText,
  mobyDickSymbols,
} from '../../environments/moby-dick.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

describe('MobyDick', () => {
  describe('the alphabet and encoding', () => {
    it("has a-z, space and . , ; ! ? ' -", () => {
      expect(MOBY_DICK_ALPHABET).toBe("abcdefghijklmnopqrstuvwxyz .,;!?'-");
      expect(MOBY_DICK_ALPHABET).toHaveLength(34);
    });

    it('lower-cases, folds newlines and dashes to spaces, drops other characters and collapses spaces', () => {
      const text = '  Call me Ishmael. Some years ago—never mind\n\nhow "long" (1851)\tprecisely;  Sub-Sub! ';
      expect(decodeMobyDick(encodeMobyDickText(text))).toBe(
        'call me ishmael. some years ago never mind how long precisely; sub-sub!',
      );
    });

    it('holds the whole novel, opening as Melville wrote it, and loads it once', () => {
      const symbols = mobyDickSymbols();
      expect(symbols).toBe(mobyDickSymbols());
      expect(symbols.length).toBeGreaterThan(1_100_000);
      expect(symbols.every((s) => s < 34)).toBe(true);
      const text = decodeMobyDick(symbols);
      expect(text).toContain(
        'call me ishmael. some years ago never mind how long precisely having little or no money in my purse',
      );
      expect(text).not.toContain('  ');
    });
  });

  describe('constructor', () => {
    it('observes discrete(34), passive, 500 characters per episode by default', () => {
      const env = new MobyDick();
      expect(env.observationSpace).toMatchObject({ kind: 'discrete', n: 34 }); // and its labels, for viewers
      expect(env.actionSpace).toBeNull();
      expect(env.length).toBe(500);
    });

    it.each([
      [{ length: 1 }, 'MobyDick: expected option "length" to be an integer >= 2, but got 1'],
      [{ length: 1e9 }, /^MobyDick: expected option "length" to be an integer in \[2, \d+\], but got 1000000000$/],
      [{ chapter: 1 }, 'MobyDick: expected options among [length], but got unknown option "chapter"'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new MobyDick(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toMatch(message);
    });
  });

  describe('#step', () => {
    it('reads `length` consecutive characters from the seeded offset, then truncates', () => {
      const env = new MobyDick({ length: 300 });
      const episode = rollout(env, 12);
      const offset = episode.infos[0]!.offset as number;
      expect(episode.observations).toEqual(Array.from(mobyDickSymbols().subarray(offset, offset + 300)));
      expect(episode.steps.map((s) => s.truncated)).toEqual([...Array(298).fill(false), true]);
      expect(episode.steps.every((s) => !s.terminated)).toBe(true);
    });

    it('decodes to readable English', () => {
      const env = new MobyDick({ length: 2000 });
      const text = decodeMobyDick(rollout(env, 3).observations);
      const words = text.split(' ').slice(1, -1);
      const letters = text.replace(/[^a-z]/g, '');
      const vowels = letters.replace(/[^aeiou]/g, '').length / letters.length;
      expect(vowels).toBeGreaterThan(0.3);
      expect(vowels).toBeLessThan(0.45);
      const meanWord = words.reduce((a, w) => a + w.length, 0) / words.length;
      expect(meanWord).toBeGreaterThan(3);
      expect(meanWord).toBeLessThan(7);
      const common = words.filter((w) => ['the', 'of', 'and', 'a', 'to', 'in'].includes(w.replace(/[^a-z]/g, '')));
      expect(common.length / words.length).toBeGreaterThan(0.1);
    });

    it('starts episodes at different offsets for different seeds, the same for the same seed', () => {
      const env = new MobyDick({ length: 10 });
      const offsets = Array.from({ length: 20 }, (_, seed) => env.reset({ seed }).info.offset);
      expect(new Set(offsets).size).toBe(20);
      expect(env.reset({ seed: 4 }).info.offset).toBe(offsets[4]);
      expect(new MobyDick({ length: 10 }).reset({ seed: 4 }).info.offset).toBe(offsets[4]);
    });

    it('requires reset before the first step and after the end', () => {
      const env = new MobyDick({ length: 5 });
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(env, 0);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });
  });
});
