// Seeded randomness for everything tprop draws: initialisation, corruption, noise, sampling,
// shuffles. xoshiro128** (Blackman & Vigna) seeded through splitmix32; its state is four
// 32-bit words plus a cached normal deviate, so a checkpoint can save and restore it exactly.

import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from './checkpoint/state-checks.js';

/** The generator's full state, plain data so it survives msgpack and JSON. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The cached deviate, meaningful while `hasSpare` (a field that is always a number stays unboxed). */
  private spare = 0;
  private hasSpare = false;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: expected a finite seed, but got ${seed}`);
    const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A standard normal deviate (Marsaglia's polar method, the spare kept in the state). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  /** A seed for an engine-side random op (tfjs takes a number seed per call). */
  seed(): number {
    return this.uint32();
  }

  /** An independent generator derived from this one (advances this one by two `uint32` draws). */
  fork(): Rng {
    return new Rng(this.uint32() + this.uint32() * 2 ** 21);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.hasSpare ? this.spare : null };
  }

  /** Restores a state from `getState`; a malformed one is a CheckpointError and changes nothing. */
  setState(state: RngState): void {
    const checked = checkRngState(state, 'Rng.setState', 'the state');
    [this.s0, this.s1, this.s2, this.s3] = checked.s;
    this.spare = checked.spare ?? 0;
    this.hasSpare = checked.spare !== null;
  }
}

/**
 * Checks a saved generator state (four 32-bit words, not all zero, and a finite spare deviate or
 * null) and returns a copy; throws CheckpointError ERR_CHECKPOINT_CORRUPT naming `path` otherwise.
 */
export function checkRngState(state: unknown, where: string, path: string): RngState {
  const record = stateRecord(where, path, state, ['s', 'spare']);
  const words = stateArray(where, `${path}.s`, record.s, 4).map((w, i) =>
    stateInteger(where, `${path}.s[${i}]`, w, 0, 0xffffffff),
  ) as [number, number, number, number];
  // An all-zero state is the one fixed point of xoshiro: the generator would emit zeros for ever.
  if (words.every((w) => w === 0)) corruptState(where, `${path}.s`, 'words that are not all zero', words);
  const spare = record.spare === null ? null : stateNumber(where, `${path}.spare`, record.spare);
  return { s: words, spare };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
