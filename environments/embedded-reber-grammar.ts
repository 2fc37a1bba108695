// EmbeddedReber-v0: the embedded Reber grammar (Cleeremans et al. 1989; Hochreiter & Schmidhuber
// 1997, experiment 1): B, T or P, a whole Reber string, the same T or P again, E. Only a memory
// of the second symbol across the embedded string predicts the second-to-last one.

import { discrete } from '../src/environment/space.js';
import type { DiscreteSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { EnvironmentError } from '../src/errors.js';
import { environmentOptions } from './environment-options.js';
import {
  REBER_B,
  REBER_E,
  REBER_FINAL_STATE,
  REBER_P,
  REBER_START_STATE,
  REBER_SYMBOLS,
  REBER_T,
  acceptsReber,
  reberLegalNext,
  reberWalk,
} from './reber-grammar.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { corruptState, stateInteger } from '../src/checkpoint/state-checks.js';

/** True when `symbols` is a complete embedded Reber string. */
export function acceptsEmbeddedReber(symbols: readonly number[]): boolean {
  const n = symbols.length;
  if (n < 5 || symbols[0] !== REBER_B || symbols[n - 1] !== REBER_E) return false;
  const branch = symbols[1];
  if ((branch !== REBER_T && branch !== REBER_P) || symbols[n - 2] !== branch) return false;
  return acceptsReber(symbols.slice(2, n - 2));
}

/** EmbeddedReber-v0 takes no options. */
export type EmbeddedReberOptions = Record<string, never>;

export const EMBEDDED_REBER_DEFAULTS: Readonly<EmbeddedReberOptions> = Object.freeze({});

const STAGES = ['opening', 'branch', 'inner', 'repeat', 'closing', 'done'] as const;
type Stage = (typeof STAGES)[number];

/**
 * Observation: the symbol index, discrete(7) labelled B T P S X V E, as in Reber-v0. Reset
 * emits B; the step that emits the final E is `terminated`. `info.legalNext` lists the legal
 * successors (exactly the remembered T/P after the embedded string's E; empty at the end);
 * `info.critical = true` only on the step whose next symbol is that repeated T/P (the embedded
 * string's E).
 */
export class EmbeddedReberGrammar extends SequenceEnvironment<number> {
  readonly observationSpace: DiscreteSpace = discrete(REBER_SYMBOLS.length, { labels: REBER_SYMBOLS });
  private stage: Stage = 'opening';
  private branch = REBER_T;
  private inner = REBER_START_STATE;

  constructor(options: EmbeddedReberOptions = {}) {
    super('EmbeddedReberGrammar');
    environmentOptions('EmbeddedReberGrammar', options, EMBEDDED_REBER_DEFAULTS);
  }

  protected begin(rng: Rng): Emission<number> {
    this.stage = 'opening';
    return this.emit(rng);
  }

  protected advance(rng: Rng): Emission<number> {
    return this.emit(rng);
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { stage: this.stage, branch: this.branch, inner: this.inner };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const stage = episode.stage as Stage;
    if (!STAGES.includes(stage) || stage === 'done') corruptState(where, 'episode.stage', 'a running stage', stage);
    const branch = episode.branch;
    if (branch !== REBER_T && branch !== REBER_P) corruptState(where, 'episode.branch', 'the symbol T or P', branch);
    const inner = stateInteger(where, 'episode.inner', episode.inner, REBER_START_STATE, REBER_FINAL_STATE);
    return () => {
      this.stage = stage;
      this.branch = branch;
      this.inner = inner;
    };
  }

  private emit(rng: Rng): Emission<number> {
    switch (this.stage) {
      case 'opening':
        this.stage = 'branch';
        return { observation: REBER_B, info: { legalNext: [REBER_T, REBER_P] } };
      case 'branch':
        this.branch = rng.int(2) === 0 ? REBER_T : REBER_P;
        this.stage = 'inner';
        this.inner = REBER_START_STATE;
        return { observation: this.branch, info: { legalNext: [REBER_B] } };
      case 'inner': {
        const { symbol, next } = reberWalk(this.inner, rng);
        this.inner = next;
        if (next !== REBER_FINAL_STATE) return { observation: symbol, info: { legalNext: reberLegalNext(next) } };
        this.stage = 'repeat';
        return { observation: symbol, info: { legalNext: [this.branch], critical: true } };
      }
      case 'repeat':
        this.stage = 'closing';
        return { observation: this.branch, info: { legalNext: [REBER_E] } };
      case 'closing':
        this.stage = 'done';
        return { observation: REBER_E, info: { legalNext: [] }, terminated: true };
      case 'done':
        throw new EnvironmentError('EmbeddedReberGrammar.step: expected a running episode, but got one that has ended');
    }
  }
}

export function createEmbeddedReberGrammar(options?: EmbeddedReberOptions): EmbeddedReberGrammar {
  return new EmbeddedReberGrammar(options);
}
