// Reber-v0: strings of the Reber grammar (Reber 1967), the finite-state benchmark of Cleeremans,
// Servan-Schreiber & McClelland (1989) and Hochreiter & Schmidhuber (1997). One string per
// episode, B to E; `info.legalNext` lists the symbols the grammar allows next.

import { discrete } from '../src/environment/space.js';
import type { DiscreteSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { environmentOptions } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateInteger } from '../src/checkpoint/state-checks.js';

/** The seven symbols; an observation is the index of its symbol here. */
export const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'] as const;

export const REBER_B = 0;
export const REBER_T = 1;
export const REBER_P = 2;
export const REBER_E = 6;

/** The state the grammar starts in (before B) and the accepting state (after E). */
export const REBER_START_STATE = 0;
export const REBER_FINAL_STATE = 7;

/**
 * The grammar as a transition table: `REBER_TRANSITIONS[state]` lists the symbols that may be
 * emitted in `state` and the state each leads to. Where a state has two edges each is taken
 * with probability 1/2, as in the literature.
 *
 *   0 -B-> 1;  1 -T-> 2, 1 -P-> 3;  2 -S-> 2, 2 -X-> 4;  3 -T-> 3, 3 -V-> 5;
 *   4 -X-> 3, 4 -S-> 6;  5 -P-> 4, 5 -V-> 6;  6 -E-> 7 (final)
 */
export const REBER_TRANSITIONS: ReadonlyArray<ReadonlyArray<{ readonly symbol: number; readonly next: number }>> = [
  [{ symbol: 0, next: 1 }],
  [
    { symbol: 1, next: 2 },
    { symbol: 2, next: 3 },
  ],
  [
    { symbol: 3, next: 2 },
    { symbol: 4, next: 4 },
  ],
  [
    { symbol: 1, next: 3 },
    { symbol: 5, next: 5 },
  ],
  [
    { symbol: 4, next: 3 },
    { symbol: 3, next: 6 },
  ],
  [
    { symbol: 2, next: 4 },
    { symbol: 5, next: 6 },
  ],
  [{ symbol: 6, next: 7 }],
  [],
];

/** The symbols the grammar allows in `state`, in table order. */
export function reberLegalNext(state: number): number[] {
  return REBER_TRANSITIONS[state]!.map((edge) => edge.symbol);
}

/** The state after emitting `symbol` in `state`, or -1 when the grammar forbids it. */
export function reberTransition(state: number, symbol: number): number {
  const edge = REBER_TRANSITIONS[state]?.find((e) => e.symbol === symbol);
  return edge ? edge.next : -1;
}

/** True when `symbols` (indices into REBER_SYMBOLS) is a complete Reber string, B to E. */
export function acceptsReber(symbols: readonly number[]): boolean {
  let state = REBER_START_STATE;
  for (const symbol of symbols) {
    state = reberTransition(state, symbol);
    if (state < 0) return false;
  }
  return state === REBER_FINAL_STATE;
}

/** Renders symbol indices as letters, e.g. "BTSSXXVVE". */
export function reberString(symbols: readonly number[]): string {
  return symbols.map((s) => REBER_SYMBOLS[s] ?? '?').join('');
}

/** Takes one edge out of `state` at random; `state` must not be final. */
export function reberWalk(state: number, rng: Rng): { symbol: number; next: number } {
  const edges = REBER_TRANSITIONS[state]!;
  return edges.length === 1 ? edges[0]! : edges[rng.int(edges.length)]!;
}

/** Reber-v0 takes no options. */
export type ReberOptions = Record<string, never>;

export const REBER_DEFAULTS: Readonly<ReberOptions> = Object.freeze({});

/**
 * Observation: the symbol index, discrete(7) labelled B T P S X V E. Reset emits B; the step
 * that emits E is `terminated`. `info.legalNext` (every step) lists the grammar's successors of
 * the current symbol in the current state, empty at E.
 */
export class ReberGrammar extends SequenceEnvironment<number> {
  readonly observationSpace: DiscreteSpace = discrete(REBER_SYMBOLS.length, { labels: REBER_SYMBOLS });
  private state = REBER_START_STATE;

  constructor(options: ReberOptions = {}) {
    super('ReberGrammar');
    environmentOptions('ReberGrammar', options, REBER_DEFAULTS);
  }

  protected begin(rng: Rng): Emission<number> {
    this.state = REBER_START_STATE;
    return this.emit(rng);
  }

  protected advance(rng: Rng): Emission<number> {
    return this.emit(rng);
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { state: this.state };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    // A running episode is never in the final state: the step that reaches it ends the episode.
    const state = stateInteger(where, 'episode.state', episode.state, 0, REBER_FINAL_STATE - 1);
    return () => {
      this.state = state;
    };
  }

  private emit(rng: Rng): Emission<number> {
    const { symbol, next } = reberWalk(this.state, rng);
    this.state = next;
    return {
      observation: symbol,
      info: { legalNext: reberLegalNext(next) },
      terminated: next === REBER_FINAL_STATE,
    };
  }
}

export function createReberGrammar(options?: ReberOptions): ReberGrammar {
  return new ReberGrammar(options);
}
