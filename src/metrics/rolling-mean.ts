// Online means for prequential metrics, after River: `update` one value at a time, read `get`.
// RollingMean keeps the last `window` values in a ring, so it costs O(1) per update.

import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';

export interface MeanState {
  sum: number;
  count: number;
}

export interface RollingMeanState {
  ring: number[];
  next: number;
  filled: number;
  count: number;
  sum: number;
}

/** The mean of every value seen. */
export class Mean {
  private sum = 0;
  count = 0;

  update(value: number): this {
    this.sum += value;
    this.count++;
    return this;
  }

  get(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  getState(): MeanState {
    return { sum: this.sum, count: this.count };
  }

  /** Restores a state from `getState`; a malformed one is a CheckpointError and changes nothing. */
  setState(state: MeanState): void {
    const checked = Mean.checkState(state, 'Mean.setState', 'the state');
    this.sum = checked.sum;
    this.count = checked.count;
  }

  /** Checks a saved state (a finite sum, a count >= 0), throwing CheckpointError naming `path`. */
  static checkState(state: unknown, where: string, path: string): MeanState {
    const record = stateRecord(where, path, state, ['sum', 'count']);
    const count = stateInteger(where, `${path}.count`, record.count);
    const sum = stateNumber(where, `${path}.sum`, record.sum);
    if (count === 0 && sum !== 0) corruptState(where, `${path}.sum`, '0 for a count of 0', sum);
    return { sum, count };
  }
}

/** The mean of the last `window` values. */
export class RollingMean {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  /** Values seen in all. */
  count = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1)
      throw new RangeError(`RollingMean: expected a window >= 1, but got ${window}`);
    this.ring = new Float64Array(window);
  }

  update(value: number): this {
    if (this.filled === this.window) this.sum -= this.ring[this.next]!;
    else this.filled++;
    this.ring[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.window;
    this.count++;
    // Re-add from scratch now and then so rounding errors of the running sum cannot drift.
    if (this.next === 0) this.sum = this.ring.reduce((a, b) => a + b, 0);
    return this;
  }

  get(): number {
    return this.filled === 0 ? NaN : this.sum / this.filled;
  }

  getState(): RollingMeanState {
    return { ring: Array.from(this.ring), next: this.next, filled: this.filled, count: this.count, sum: this.sum };
  }

  /**
   * Restores exactly, the running sum included (summing the ring again could round differently).
   * A state of another window or a malformed one is a CheckpointError and changes nothing.
   */
  setState(state: RollingMeanState): void {
    const checked = this.checkState(state, 'RollingMean.setState', 'the state');
    this.ring.set(checked.ring);
    this.next = checked.next;
    this.filled = checked.filled;
    this.count = checked.count;
    this.sum = checked.sum;
  }

  /**
   * Checks a saved state against this mean's window: a ring of `window` finite values, the next
   * slot and the filled count in range and consistent, a count >= filled, a finite sum.
   */
  checkState(state: unknown, where: string, path: string): RollingMeanState {
    const w = this.window;
    const record = stateRecord(where, path, state, ['ring', 'next', 'filled', 'count', 'sum']);
    const raw = record.ring instanceof Float64Array ? Array.from(record.ring) : record.ring;
    const ring = stateArray(where, `${path}.ring`, raw, w).map((v, i) => stateNumber(where, `${path}.ring[${i}]`, v));
    const next = stateInteger(where, `${path}.next`, record.next, 0, w - 1);
    const filled = stateInteger(where, `${path}.filled`, record.filled, 0, w);
    // The ring fills in order, so until it is full the next slot is the count of filled ones.
    if (filled < w && next !== filled) corruptState(where, `${path}.next`, `${filled} with ${filled} filled`, next);
    const count = stateInteger(where, `${path}.count`, record.count, filled);
    if (filled < w && count !== filled) corruptState(where, `${path}.count`, `${filled} with ${filled} filled`, count);
    const sum = stateNumber(where, `${path}.sum`, record.sum);
    return { ring, next, filled, count, sum };
  }
}
