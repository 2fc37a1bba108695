// The page's record of the run: the server's history of the whole run (sent after the hello)
// extended by every frame that arrives, decimated the same way (at most 2,000 points; when full,
// neighbours merge and the stride doubles), plus the last few hundred frames as they came.

export const CAPACITY = 2000;
/** Frames kept as they came, for views of the recent past (continuous modalities). */
export const RECENT_FRAMES = 300;

/** Series of one step axis; `null` marks a point without a value. */
export class History {
  constructor() {
    this.clear();
  }

  clear() {
    this.steps = [];
    this.starts = [];
    this.sums = new Map();
    this.counts = new Map();
    this.stride = 1;
  }

  /** Replaces everything with a `history` message's contents. */
  load(message) {
    this.clear();
    this.stride = message.stride;
    const n = message.steps.length;
    this.steps = Array.from(message.steps);
    // Each point is one mean; its start is unknown, so it is taken as its end.
    this.starts = this.steps.slice();
    const put = (key, values) => {
      const sums = new Array(n).fill(0);
      const counts = new Array(n).fill(0);
      for (let i = 0; i < n; i++)
        if (Number.isFinite(values[i])) {
          sums[i] = values[i];
          counts[i] = 1;
        }
      this.sums.set(key, sums);
      this.counts.set(key, counts);
    };
    for (const [name, v] of Object.entries(message.losses ?? {})) put(`loss:${name}`, v);
    for (const [name, v] of Object.entries(message.metrics ?? {})) put(`metric:${name}`, v);
    for (const [name, v] of Object.entries(message.layers ?? {})) {
      put(`error:${name}`, v.reconstructionError);
      put(`activity:${name}`, v.meanAbsCode);
    }
    for (const [name, v] of Object.entries(message.anomaly ?? {})) put(`anomaly:${name}`, v);
    if (message.stepsPerSecond) put('rate', message.stepsPerSecond);
  }

  /** Adds one frame's values (`values`: key → number) at `step`. */
  push(step, values) {
    const last = this.steps.length - 1;
    if (last >= 0 && step < this.steps[last]) this.clear(); // a new run or a restored one
    if (last >= 0 && step === this.steps[last]) return; // the same frame again (a new subscription)
    let point = this.steps.length - 1;
    if (point < 0 || step >= this.starts[point] + this.stride) {
      if (this.steps.length >= CAPACITY) this.halve();
      point = this.steps.length;
      this.steps.push(step);
      this.starts.push(step);
      for (const list of this.sums.values()) list.push(0);
      for (const list of this.counts.values()) list.push(0);
    }
    this.steps[point] = step;
    for (const [key, v] of Object.entries(values)) {
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (!this.sums.has(key)) {
        this.sums.set(key, new Array(this.steps.length).fill(0));
        this.counts.set(key, new Array(this.steps.length).fill(0));
      }
      const sums = this.sums.get(key);
      const counts = this.counts.get(key);
      // An anomaly score's point keeps its largest value (count 1), as the server's history does.
      if (isPeak(key)) sums[point] = counts[point] > 0 ? Math.max(sums[point], v) : v;
      else sums[point] += v;
      counts[point] = isPeak(key) ? 1 : counts[point] + 1;
    }
  }

  /** The series `key` as values aligned with `steps` (null where there is none). */
  get(key) {
    const sums = this.sums.get(key);
    const counts = this.counts.get(key);
    if (!sums) return [];
    return sums.map((s, i) => (counts[i] > 0 ? s / counts[i] : null));
  }

  halve() {
    const n = this.steps.length;
    const half = Math.floor(n / 2);
    const pair = (list, merge) => Array.from({ length: half }, (_, i) => merge(list[2 * i], list[2 * i + 1]));
    this.starts = pair(this.starts, (a) => a);
    this.steps = pair(this.steps, (_, b) => b);
    for (const key of this.sums.keys()) {
      const counts = this.counts.get(key);
      const peak = isPeak(key);
      this.sums.set(
        key,
        pair(this.sums.get(key), (a, b) => (peak ? Math.max(a, b ?? -Infinity) : a + (b ?? 0))),
      );
      this.counts.set(
        key,
        pair(counts, (a, b) => (peak ? Math.min(1, a + (b ?? 0)) : a + (b ?? 0))),
      );
    }
    const span = this.steps[half - 1] - this.starts[0];
    this.stride = Math.max(this.stride * 2, Math.ceil(span / half));
  }
}

/** Series whose points keep their largest value rather than their mean. */
function isPeak(key) {
  return key.startsWith('anomaly:');
}

/** The last frames as they came, oldest first. */
export class RecentFrames {
  constructor(capacity = RECENT_FRAMES) {
    this.capacity = capacity;
    this.frames = [];
  }

  push(frame) {
    const last = this.frames.at(-1);
    if (last && frame.step <= last.step) {
      if (frame.step === last.step) return;
      this.frames = []; // a new run
    }
    this.frames.push(frame);
    if (this.frames.length > this.capacity) this.frames.shift();
  }

  clear() {
    this.frames = [];
  }
}

/**
 * One point per ended episode, from frames: the return of the episode that ended last, at the step
 * of the frame that first shows the count of ended episodes grown. Frames are sampled, so when
 * several episodes end between two frames only the last one's return is known, and only it is
 * drawn. Kept as a History (key `return`), so it stays bounded and draws like any other series.
 */
export class EpisodeReturns {
  constructor() {
    this.history = new History();
    this.episodes = null;
  }

  clear() {
    this.history.clear();
    this.episodes = null;
  }

  /** Reads one frame's count of ended episodes and last episode's return; returns whether a point was added. */
  record(step, episodes, lastReturn) {
    if (!Number.isFinite(episodes)) return false;
    if (this.episodes !== null && episodes < this.episodes) this.clear(); // a new run or a restored one
    const grew = episodes > (this.episodes ?? 0);
    this.episodes = episodes;
    if (!grew || lastReturn === null || lastReturn === undefined || !Number.isFinite(lastReturn)) return false;
    this.history.push(step, { return: lastReturn });
    return true;
  }
}
