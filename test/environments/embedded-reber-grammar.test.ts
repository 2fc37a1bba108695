// Specification of EmbeddedReber-v0: B, T or P, a Reber string, the same T or P, E; legalNext is
// exact and `critical` marks, once per string, the step before the repeated symbol.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { EmbeddedReberGrammar, acceptsEmbeddedReber } from '../../environments/embedded-reber-grammar.js';
import { REBER_SYMBOLS, reberString } from '../../environments/reber-grammar.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

const INNER = '(?:(?:TS*X|PT*VP)(?:XT*VP)*(?:S|XT*VV)|PT*VV)';
const EMBEDDED_LANGUAGE = new RegExp(`^B(?:TB${INNER}ET|PB${INNER}EP)E$`);
const T = REBER_SYMBOLS.indexOf('T');
const P = REBER_SYMBOLS.indexOf('P');
const B = REBER_SYMBOLS.indexOf('B');
const E = REBER_SYMBOLS.indexOf('E');

describe('EmbeddedReberGrammar', () => {
  describe('constructor', () => {
    it('observes discrete(7) symbols, passive, and takes no options', () => {
      const env = new EmbeddedReberGrammar();
      expect(env.observationSpace).toMatchObject({ kind: 'discrete', n: 7 }); // and its labels, for viewers
      expect(env.actionSpace).toBeNull();
      const error = thrown(() => new EmbeddedReberGrammar({ depth: 2 } as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
    });
  });

  describe('#step', () => {
    const env = new EmbeddedReberGrammar();
    const episodes = Array.from({ length: 500 }, (_, seed) => rollout(env, seed));

    it('emits one embedded Reber string per episode, terminated only on the final E', () => {
      for (const { observations, steps } of episodes) {
        expect(EMBEDDED_LANGUAGE.test(reberString(observations))).toBe(true);
        expect(acceptsEmbeddedReber(observations)).toBe(true);
        expect(steps.map((s) => s.terminated)).toEqual([...Array(steps.length - 1).fill(false), true]);
      }
    });

    it('repeats the second symbol as the second-to-last one', () => {
      for (const { observations } of episodes) {
        const n = observations.length;
        expect([T, P]).toContain(observations[1]);
        expect(observations[n - 2]).toBe(observations[1]);
      }
    });

    it('sets info.critical exactly once per string, on the step whose next symbol is the repeated one', () => {
      for (const { observations, infos } of episodes) {
        const n = observations.length;
        const critical = infos.flatMap((info, t) => (info.critical === true ? [t] : []));
        expect(critical).toEqual([n - 3]);
        expect(observations[n - 3]).toBe(E);
        expect(infos[n - 3]!.legalNext).toEqual([observations[1]]);
      }
    });

    it('gives in info.legalNext the successors, always containing the next symbol, empty at the end', () => {
      const missed: string[] = [];
      for (const { observations, infos } of episodes) {
        expect(infos[0]!.legalNext).toEqual([T, P]);
        expect(infos[1]!.legalNext).toEqual([B]);
        for (let t = 1; t < observations.length; t++) {
          if (!(infos[t - 1]!.legalNext as number[]).includes(observations[t]!))
            missed.push(`${reberString(observations)} at ${t}`);
        }
        expect(infos.at(-2)!.legalNext).toEqual([E]);
        expect(infos.at(-1)!.legalNext).toEqual([]);
      }
      expect(missed).toEqual([]);
    });

    it('takes the T and P branches about equally often', () => {
      const ts = episodes.filter((e) => e.observations[1] === T).length;
      expect(ts).toBeGreaterThan(200);
      expect(ts).toBeLessThan(300);
    });

    it('rejects malformed embedded strings', () => {
      const code = (s: string) => [...s].map((c) => REBER_SYMBOLS.indexOf(c as never));
      expect(acceptsEmbeddedReber(code('BTBTXSETE'))).toBe(true);
      expect(acceptsEmbeddedReber(code('BTBTXSEPE'))).toBe(false);
      expect(acceptsEmbeddedReber(code('BTBTXSTE'))).toBe(false);
      expect(acceptsEmbeddedReber(code('BSBTXSESE'))).toBe(false);
    });

    it('requires reset before the first step and after the end', () => {
      const fresh = new EmbeddedReberGrammar();
      expect((thrown(() => fresh.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      rollout(fresh, 1);
      expect((thrown(() => fresh.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });
  });
});
