// Online means for prequential metrics, after River: `update` one value at a time, read `get`.
// RollingMean keeps the last `window` values in a ring, so it costs O(1) per update.

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

  getState(): { sum: number; count: number } {
    return { sum: this.sum, count: this.count };
  }

  setState(state: { sum: number; count: number }): void {
    this.sum = state.sum;
    this.count = state.count;
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

  getState(): { ring: number[]; next: number; filled: number; count: number; sum: number } {
    return { ring: Array.from(this.ring), next: this.next, filled: this.filled, count: this.count, sum: this.sum };
  }

  /** Restores exactly, the running sum included (summing the ring again could round differently). */
  setState(state: { ring: number[]; next: number; filled: number; count: number; sum: number }): void {
    this.ring.set(state.ring);
    this.next = state.next;
    this.filled = state.filled;
    this.count = state.count;
    this.sum = state.sum;
  }
}
