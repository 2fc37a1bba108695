// Specification of Reber-v0: every episode is one string of the Reber grammar, and legalNext
// names exactly the successors the grammar allows, checked against the grammar written out here.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, StateError } from '../../src/errors.js';
import {
  REBER_SYMBOLS,
  REBER_TRANSITIONS,
  ReberGrammar,
  acceptsReber,
  reberLegalNext,
  reberString,
} from '../../environments/reber-grammar.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

// The grammar as drawn by Cleeremans et al. (1989), independent of the module's table:
// node -> { letter: next node }; node 6 accepts after E.
const DIAGRAM: Record<number, Record<string, number>> = {
  1: { T: 2, P: 3 },
  2: { S: 2, X: 4 },
  3: { T: 3, V: 5 },
  4: { X: 3, S: 6 },
  5: { P: 4, V: 6 },
  6: { E: 7 },
  7: {},
};

// The same language as a regular expression, derived by hand from the diagram.
const REBER_LANGUAGE = /^B(?:(?:TS*X|PT*VP)(?:XT*VP)*(?:S|XT*VV)|PT*VV)E$/;

const letters = (symbols: number[]): string => reberString(symbols);

describe('ReberGrammar', () => {
  describe('constructor', () => {
    it('observes discrete(7) symbols B T P S X V E, passive', () => {
      const env = new ReberGrammar();
      expect(REBER_SYMBOLS).toEqual(['B', 'T', 'P', 'S', 'X', 'V', 'E']);
      expect(env.observationSpace).toMatchObject({ kind: 'discrete', n: 7 }); // and its labels, for viewers
      expect(env.actionSpace).toBeNull();
    });

    it('takes no options: an unknown option throws InvalidOptionError', () => {
      const error = thrown(() => new ReberGrammar({ length: 3 } as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe('ReberGrammar: expected options among [], but got unknown option "length"');
    });
  });

  describe('the exported grammar', () => {
    it('matches the diagram edge for edge', () => {
      for (const [node, edges] of Object.entries(DIAGRAM)) {
        const table = REBER_TRANSITIONS[Number(node)]!.map((e) => [REBER_SYMBOLS[e.symbol], e.next]);
        expect(Object.fromEntries(table)).toEqual(edges);
      }
      expect(REBER_TRANSITIONS[0]).toEqual([{ symbol: 0, next: 1 }]);
    });

    it('accepts exactly the strings of the language', () => {
      const code = (s: string) => [...s].map((c) => REBER_SYMBOLS.indexOf(c as never));
      for (const s of ['BTXSE', 'BPVVE', 'BTSSXXTVVE', 'BPTVPXVVE', 'BTXXVPSE']) {
        expect(REBER_LANGUAGE.test(s)).toBe(true);
        expect(acceptsReber(code(s))).toBe(true);
      }
      for (const s of ['BTSE', 'BPVVEE', 'TXSE', 'BTXS', 'BPVPE', '']) {
        expect(REBER_LANGUAGE.test(s)).toBe(false);
        expect(acceptsReber(code(s))).toBe(false);
      }
    });
  });

  describe('#step', () => {
    const env = new ReberGrammar();
    const episodes = Array.from({ length: 500 }, (_, seed) => rollout(env, seed));

    it('emits one grammatical string per episode, B to E, terminated only on E', () => {
      const rejected = episodes.map((e) => letters(e.observations)).filter((s) => !REBER_LANGUAGE.test(s));
      expect(rejected).toEqual([]);
      for (const { observations, steps } of episodes) {
        expect(acceptsReber(observations)).toBe(true);
        expect(steps.map((s) => s.terminated)).toEqual([...Array(steps.length - 1).fill(false), true]);
        expect(steps.every((s) => !s.truncated && s.reward === 0)).toBe(true);
      }
    });

    it('gives in info.legalNext exactly the successors allowed by the diagram', () => {
      const wrong: string[] = [];
      for (const { observations, infos } of episodes) {
        let node = 1;
        expect(infos[0]!.legalNext).toEqual([1, 2]);
        for (let t = 1; t < observations.length; t++) {
          node = DIAGRAM[node]![REBER_SYMBOLS[observations[t]!]]!;
          const allowed = Object.keys(DIAGRAM[node]!)
            .map((c) => REBER_SYMBOLS.indexOf(c as never))
            .sort();
          const given = [...(infos[t]!.legalNext as number[])].sort();
          if (given.join() !== allowed.join())
            wrong.push(`${letters(observations)} at ${t}: [${given}] vs [${allowed}]`);
          if (!(infos[t - 1]!.legalNext as number[]).includes(observations[t]!))
            wrong.push(`${letters(observations)} at ${t}: next missing`);
        }
        expect(infos.at(-1)!.legalNext).toEqual([]);
      }
      expect(wrong).toEqual([]);
      expect(reberLegalNext(7)).toEqual([]);
    });

    it('takes each of two edges about half the time and uses every edge', () => {
      const counts: Record<string, number> = {};
      for (const { observations } of episodes) {
        const s = letters(observations);
        for (let i = 1; i < s.length; i++) counts[s.slice(i - 1, i + 1)] = (counts[s.slice(i - 1, i + 1)] ?? 0) + 1;
      }
      expect(counts.BT! / (counts.BT! + counts.BP!)).toBeGreaterThan(0.44);
      expect(counts.BT! / (counts.BT! + counts.BP!)).toBeLessThan(0.56);
      for (const pair of [
        'BT',
        'BP',
        'TS',
        'TX',
        'SS',
        'SX',
        'XX',
        'XS',
        'PT',
        'PV',
        'TT',
        'TV',
        'VP',
        'VV',
        'SE',
        'VE',
      ]) {
        expect(counts[pair] ?? 0).toBeGreaterThan(0);
      }
    });

    it('replays the same strings from the same seed, continuing the stream on unseeded resets', () => {
      const play = () => {
        const fresh = new ReberGrammar();
        return [rollout(fresh, 11), rollout(fresh), rollout(fresh)].map((e) => letters(e.observations));
      };
      expect(play()).toEqual(play());
    });

    it('requires reset before the first step and after E', () => {
      const fresh = new ReberGrammar();
      const before = thrown(() => fresh.step());
      expect(before).toBeInstanceOf(StateError);
      expect((before as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(fresh, 0);
      expect((thrown(() => fresh.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
      expect(fresh.reset().observation).toBe(0);
    });
  });
});
