// Labels of a discrete space: one distinct name per value, for people; a space's equality and
// membership ignore them, and the built-in symbol environments give theirs.

import { describe, expect, it } from 'vitest';
import { contains, dict, discrete, sameSpace } from '../../src/environment/space.js';
import { EmbeddedReberGrammar } from '../../environments/embedded-reber-grammar.js';
import { MOBY_DICK_ALPHABET, MOBY_DICK_LABELS } from '../../environments/moby-dick.js';
import { ReberGrammar } from '../../environments/reber-grammar.js';
import { thrown } from '../helpers/thrown.js';

describe('discrete', () => {
  describe('labels', () => {
    it('keeps a copy of one name per value', () => {
      const names = ['a', 'b', 'c'];
      const space = discrete(3, { labels: names });
      names[0] = 'z';
      expect(space).toEqual({ kind: 'discrete', n: 3, labels: ['a', 'b', 'c'] });
      expect(Object.isFrozen(space.labels)).toBe(true);
    });

    it('leaves a space without labels as it was', () => {
      expect(discrete(4)).toEqual({ kind: 'discrete', n: 4 });
      expect(discrete(4, {})).toEqual({ kind: 'discrete', n: 4 });
    });

    it('refuses a wrong count, a non-string, a repeated name or an unknown option, naming the fault', () => {
      expect(thrown(() => discrete(3, { labels: ['a', 'b'] }))).toMatchObject({
        code: 'ERR_INVALID_OPTION',
        message: 'discrete: expected option "labels" to be 3 strings, one per value, but got 2',
      });
      expect((thrown(() => discrete(2, { labels: ['a', 1 as never] })) as Error).message).toMatch(
        /2 strings.*but got 1 at index 1/,
      );
      expect(thrown(() => discrete(3, { labels: ['a', 'b', 'a'] }))).toMatchObject({
        code: 'ERR_INVALID_OPTION',
        message: 'discrete: expected option "labels" to be distinct, but got "a" twice',
      });
      expect((thrown(() => discrete(2, { names: ['a', 'b'] } as never)) as Error).message).toMatch(
        /unknown option "names"/,
      );
    });

    it('play no part in sameSpace or contains', () => {
      const plain = discrete(3);
      const named = discrete(3, { labels: ['x', 'y', 'z'] });
      expect(sameSpace(plain, named)).toBe(true);
      expect(sameSpace(dict({ a: plain }), dict({ a: named }))).toBe(true);
      expect(sameSpace(discrete(4), named)).toBe(false);
      for (const v of [0, 2, 3, -1, 1.5]) expect(contains(named, v)).toBe(contains(plain, v));
    });
  });

  describe('built-in labels', () => {
    it('name the Reber symbols B T P S X V E', () => {
      for (const env of [new ReberGrammar(), new EmbeddedReberGrammar()])
        expect(env.observationSpace).toEqual({ kind: 'discrete', n: 7, labels: ['B', 'T', 'P', 'S', 'X', 'V', 'E'] });
    });

    it('name the Moby Dick characters printably, the space as ␣', () => {
      expect(MOBY_DICK_LABELS).toHaveLength(MOBY_DICK_ALPHABET.length);
      expect(MOBY_DICK_LABELS.join('')).toBe("abcdefghijklmnopqrstuvwxyz␣.,;!?'-");
      expect(MOBY_DICK_LABELS.every((l) => l.trim() === l && l.length === 1)).toBe(true);
    });
  });
});
