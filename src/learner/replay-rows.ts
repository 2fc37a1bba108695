// The rows a top auto-encoder replays (option `top.replay`): a ring of past (code, side) rows
// that had some side information, oldest out, and seeded draws from it; saved and restored with
// the recurrent stack's state. A bandit's rewards do not depend on the policy, so its old rows stay
// true (docs/experiments.md, row P19); a control task's returns do, and replay misleads there.

import type { Engine } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import { type Rng, type RngState, checkRngState } from '../random.js';
import { stateArray, stateFloats, stateInteger, stateRecord } from '../checkpoint/state-checks.js';
import type { SideBatch, SideMatrices } from './side-batch.js';

/** The replay rows as plain data: `count` rows, flattened per part, and the draws' generator. */
export interface ReplayState {
  readonly count: number;
  readonly next: number;
  readonly codes: Float32Array;
  readonly values: Float32Array[];
  readonly present: Float32Array[];
  readonly rng: RngState;
}

/** A ring of past (code, side) rows with some side information, and seeded draws from it. */
export class ReplayRows {
  private readonly codes: Float32Array[] = [];
  private readonly values: Float32Array[][] = [];
  private readonly present: Float32Array[] = [];
  private next = 0;

  constructor(
    private readonly capacity: number,
    private readonly modalities: readonly ModalitySpec[],
    private readonly rng: Rng,
  ) {}

  /** Keeps every row of `codes` ([rows × size], read) that has some side modality present. */
  keep<M>(codes: Float32Array, rows: number, side: SideMatrices<M>, e: Engine<M>): void {
    const size = codes.length / rows;
    const values = side.values.map((v) => e.read(v));
    const present = side.present.map((p) => e.read(p));
    for (let r = 0; r < rows; r++) {
      if (!present.some((p) => p[r]! > 0)) continue;
      const row = {
        code: codes.slice(r * size, (r + 1) * size),
        values: this.modalities.map((m, k) => values[k]!.slice(r * m.size, (r + 1) * m.size)),
        present: Float32Array.from(present, (p) => p[r]!),
      };
      if (this.codes.length < this.capacity) {
        this.codes.push(row.code);
        this.values.push(row.values);
        this.present.push(row.present);
      } else {
        this.codes[this.next] = row.code;
        this.values[this.next] = row.values;
        this.present[this.next] = row.present;
        this.next = (this.next + 1) % this.capacity;
      }
    }
  }

  getState(): ReplayState {
    const join = (parts: Float32Array[], size: number): Float32Array => {
      const out = new Float32Array(parts.length * size);
      parts.forEach((p, i) => out.set(p, i * size));
      return out;
    };
    const n = this.codes.length;
    return {
      count: n,
      next: this.next,
      codes: join(this.codes, n === 0 ? 0 : this.codes[0]!.length),
      values: this.modalities.map((m, k) =>
        join(
          this.values.map((v) => v[k]!),
          m.size,
        ),
      ),
      present: this.modalities.map((_, k) => Float32Array.from(this.present, (p) => p[k]!)),
      rng: this.rng.getState(),
    };
  }

  checkState(state: unknown, where: string, codeSize: number): ReplayState {
    const r = stateRecord(where, 'replay', state, ['count', 'next', 'codes', 'values', 'present', 'rng']);
    const count = stateInteger(where, 'replay.count', r.count, 0, this.capacity);
    const next = stateInteger(where, 'replay.next', r.next, 0, Math.max(0, this.capacity - 1));
    const values = stateArray(where, 'replay.values', r.values, this.modalities.length);
    const present = stateArray(where, 'replay.present', r.present, this.modalities.length);
    return {
      count,
      next,
      codes: stateFloats(where, 'replay.codes', r.codes, count * codeSize),
      values: this.modalities.map((m, k) => stateFloats(where, `replay.values[${k}]`, values[k], count * m.size)),
      present: this.modalities.map((_, k) => stateFloats(where, `replay.present[${k}]`, present[k], count)),
      rng: checkRngState(r.rng, where, 'replay.rng'),
    };
  }

  setState(state: ReplayState, codeSize: number): void {
    this.codes.length = 0;
    this.values.length = 0;
    this.present.length = 0;
    for (let i = 0; i < state.count; i++) {
      this.codes.push(state.codes.slice(i * codeSize, (i + 1) * codeSize));
      this.values.push(this.modalities.map((m, k) => state.values[k]!.slice(i * m.size, (i + 1) * m.size)));
      this.present.push(Float32Array.from(state.present, (p) => p[i]!));
    }
    this.next = state.next;
    this.rng.setState(state.rng);
  }

  /** `rows` rows drawn uniformly (with replacement), or null while none is kept. */
  draw(rows: number): { codes: Float32Array; side: SideBatch } | null {
    if (this.codes.length === 0) return null;
    const size = this.codes[0]!.length;
    const codes = new Float32Array(rows * size);
    const values = this.modalities.map((m) => new Float32Array(rows * m.size));
    const present = this.modalities.map(() => new Float32Array(rows));
    for (let r = 0; r < rows; r++) {
      const i = this.rng.int(this.codes.length);
      codes.set(this.codes[i]!, r * size);
      this.modalities.forEach((m, k) => {
        values[k]!.set(this.values[i]![k]!, r * m.size);
        present[k]![r] = this.present[i]![k]!;
      });
    }
    return { codes, side: { rows, values, present } };
  }
}
