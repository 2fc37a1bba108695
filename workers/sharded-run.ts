// ShardedRun: the S streams of one environment learned by W worker threads, each stepping a
// contiguous share of them with its own agent, so the learning is off the main thread and on
// every core. The main thread only starts the workers, relays their progress and gathers their
// results; it shares nothing with them but the description and the control flags (stop, pause, step).

import type { Worker } from 'node:worker_threads';
import { Subject, type Observable } from 'rxjs';
import type { Frame, Topology } from '../src/agent/snapshot.js';
import { StateError } from '../src/errors.js';
import { checkRegistered } from './check-registered.js';
import type { ShardProgress, ShardResult } from './run-shard.js';
import {
  type ResolvedDescription,
  type Shard,
  type ShardedRunDescription,
  describeShard,
  planShards,
  resolveDescription,
} from './shard-plan.js';
import { WorkerError, type WorkerFault, faultOf } from './worker-error.js';
import { CONTROL, type StartMessage, type WorkerMessage } from './worker-messages.js';
import { startWorker } from './start-worker.js';

/** Where a run stands, over every worker's latest sample. */
export interface ShardedRunState {
  /** Stream steps taken so far (steps × streams, summed over the workers). */
  readonly streamSteps: number;
  /** The sum of the workers' latest rates; 0 while paused. */
  readonly stepsPerSecond: number;
  readonly paused: boolean;
  /** The workers' latest metrics, averaged with their streams as weights. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per worker, its latest sample, or null before its first. */
  readonly workers: readonly (ShardProgress | null)[];
}

/** What `done` resolves with. */
export interface ShardedRunResult {
  /** Seconds from the start of learning (every worker set up) to the last worker's end, on the main thread. */
  readonly seconds: number;
  /** Seconds the workers took to start and set up, before learning. */
  readonly setupSeconds: number;
  /**
   * CPU seconds of the whole process (every thread) over the same span: what the learning cost,
   * however busy the machine; stream steps per CPU second compare worker counts on a shared machine.
   */
  readonly cpuSeconds: number;
  readonly streamSteps: number;
  /** Stream steps per second of the whole run: streamSteps / seconds. */
  readonly stepsPerSecond: number;
  /**
   * The sum of the workers' steady rates (ShardResult.steady: each over its later half or more,
   * where the workers run side by side): the rate of a long run, once the compilers have warmed up.
   */
  readonly steadyStepsPerSecond: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Per worker, in order. */
  readonly workers: readonly ShardResult[];
  /** Stopped before the steps were done. */
  readonly interrupted: boolean;
}

/** Milliseconds a worker that has sent its last message (or been told to stop after a fault) gets to end. */
const GRACE_MS = 5000;

/** The stream-weighted mean of each metric over the workers that have it. */
function weightedMetrics(
  samples: readonly ({ metrics: Readonly<Record<string, number>> } | null)[],
  shards: readonly Shard[],
): Record<string, number> {
  const sums = new Map<string, { sum: number; weight: number }>();
  samples.forEach((sample, w) => {
    if (sample === null) return;
    for (const [name, value] of Object.entries(sample.metrics)) {
      const s = sums.get(name) ?? { sum: 0, weight: 0 };
      s.sum += value * shards[w]!.streams;
      s.weight += shards[w]!.streams;
      sums.set(name, s);
    }
  });
  return Object.fromEntries([...sums].map(([name, s]) => [name, s.sum / s.weight]));
}

/**
 * Nothing happens before `start()`. `done` resolves once every worker has ended (its steps done,
 * or `stop()`), with each worker's result; a worker's fault stops the others (each disposes its
 * agent and ends), then rejects `done` and errors `progress` with a WorkerError naming the worker.
 * `dispose()` terminates the workers at once. A bad description throws here, before any worker.
 */
export class ShardedRun {
  readonly description: ResolvedDescription;
  readonly shards: readonly Shard[];
  /** Every worker's progress samples, as they come (hot); completes at the end. */
  readonly progress: Observable<ShardProgress>;
  /** With `frameMs`: worker 0's frames (its agent, its stream 0), as they come (hot); completes at the end. */
  readonly frames: Observable<Frame>;
  /** Resolves once every worker is set up and learning has begun; rejects as `done` does if that never comes. */
  readonly ready: Promise<void>;
  readonly done: Promise<ShardedRunResult>;
  private readonly subject = new Subject<ShardProgress>();
  private readonly frameSubject = new Subject<Frame>();
  private readonly controlBuffer = new SharedArrayBuffer(4 * CONTROL.length);
  private readonly control = new Int32Array(this.controlBuffer);
  private topologyOf: Topology | null = null;
  private readyResolve!: () => void;
  private readyReject!: (error: unknown) => void;
  private readonly workers: Worker[] = [];
  private readonly latest: (ShardProgress | null)[];
  private readonly results: (ShardResult | null)[];
  private readonly isReady: boolean[];
  private readonly started: boolean[];
  private readonly exited: boolean[];
  private failure: Error | null = null;
  private status: 'new' | 'running' | 'ended' = 'new';
  private createdAt = 0;
  private learningFrom = 0;
  private lastResultAt = 0;
  private cpuFrom: NodeJS.CpuUsage | null = null;
  private cpuUsed: NodeJS.CpuUsage | null = null;
  private resolve!: (result: ShardedRunResult) => void;
  private reject!: (error: unknown) => void;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(description: ShardedRunDescription) {
    this.description = resolveDescription(description);
    checkRegistered(this.description);
    this.shards = Object.freeze(planShards(this.description));
    const n = this.shards.length;
    this.latest = new Array(n).fill(null);
    this.results = new Array(n).fill(null);
    this.isReady = new Array(n).fill(false);
    this.started = new Array(n).fill(false);
    this.exited = new Array(n).fill(false);
    this.progress = this.subject.asObservable();
    this.frames = this.frameSubject.asObservable();
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => undefined);
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A caller who only calls stop() or dispose() must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Worker 0's agent's topology (named after the environment), known once it is set up. */
  get topology(): Topology {
    if (this.topologyOf === null)
      throw new StateError(
        'ERR_NO_OBSERVATION',
        'ShardedRun.topology: expected worker 0 to be set up, but it is not yet',
      );
    return this.topologyOf;
  }

  /** Whether the workers are held (pause()). */
  get paused(): boolean {
    return Atomics.load(this.control, CONTROL.paused) !== 0;
  }

  /** Holds every worker before its next step. */
  pause(): void {
    this.setControl(CONTROL.paused, 1);
  }

  /** Lets the workers go on. */
  resume(): void {
    this.setControl(CONTROL.paused, 0);
  }

  /** While paused: every worker takes one step (worker 0 sends its frame). Ignored otherwise. */
  step(): void {
    if (this.paused) this.setControl(CONTROL.grants, Atomics.load(this.control, CONTROL.grants) + 1);
  }

  /** Worker threads started and not yet ended. */
  get liveWorkers(): number {
    return this.workers.length - this.exited.filter(Boolean).length;
  }

  /** Starts the W workers; learning begins once all are set up. */
  start(): this {
    if (this.status !== 'new') return this;
    this.status = 'running';
    this.createdAt = performance.now();
    for (const shard of this.shards) {
      const worker = startWorker(this.description, shard, this.controlBuffer);
      const w = shard.worker;
      worker.on('message', (message: WorkerMessage) => this.onMessage(w, message));
      worker.on('error', (error) => this.fail(w, faultOf(error)));
      worker.on('exit', (code) => this.onExit(w, code));
      this.workers.push(worker);
    }
    return this;
  }

  /** Asks every worker to stop after its current step; `done` then resolves with what was learned. */
  stop(): void {
    this.setControl(CONTROL.stop, 1);
    this.startReady();
    if (this.status === 'new') this.settle();
  }

  /** Where the run stands. */
  state(): ShardedRunState {
    const samples = this.latest.map((p, w) => {
      const result = this.results[w];
      return result === null ? p : { ...p, worker: w, steps: result.steps, stepsPerSecond: 0, metrics: result.metrics };
    });
    return {
      streamSteps: samples.reduce((a, p, w) => a + (p?.steps ?? 0) * this.shards[w]!.streams, 0),
      stepsPerSecond: this.paused ? 0 : samples.reduce((a, p) => a + (p?.stepsPerSecond ?? 0), 0),
      paused: this.paused,
      metrics: weightedMetrics(samples, this.shards),
      workers: [...this.latest],
    };
  }

  /** Terminates every worker now (their agents go with their threads); `done` rejects if it had not settled. */
  async dispose(): Promise<void> {
    this.setControl(CONTROL.stop, 1);
    if (this.status !== 'ended') {
      this.failure ??= new StateError(
        'ERR_DISPOSED',
        'ShardedRun.done: expected the run to end, but it was disposed first',
      );
    }
    await Promise.all(this.workers.map((worker, w) => (this.exited[w] ? undefined : worker.terminate())));
    this.settle();
  }

  private onMessage(w: number, message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.isReady[w] = true;
        if (w === 0) this.topologyOf = message.topology;
        if (this.isReady.every(Boolean) || Atomics.load(this.control, CONTROL.stop) !== 0) this.startReady();
        return;
      case 'frame':
        this.frameSubject.next(message.frame);
        return;
      case 'progress':
        this.latest[w] = message.progress;
        this.subject.next(message.progress);
        return;
      case 'done':
        this.results[w] = message.result;
        this.lastResultAt = performance.now();
        if (this.cpuFrom !== null) this.cpuUsed = process.cpuUsage(this.cpuFrom);
        this.endSoon(w);
        return;
      case 'error':
        this.fail(w, message.fault);
        this.endSoon(w);
        return;
    }
  }

  /** Tells every set-up worker not told yet to start (all of them at once, at the normal start). */
  private startReady(): void {
    const first = this.learningFrom === 0;
    this.workers.forEach((worker, w) => {
      if (!this.isReady[w] || this.started[w] || this.exited[w]) return;
      this.started[w] = true;
      worker.postMessage({ type: 'start' } satisfies StartMessage);
    });
    if (first && this.started.some(Boolean)) {
      this.learningFrom = performance.now();
      this.cpuFrom = process.cpuUsage();
      this.readyResolve();
    }
  }

  private fail(w: number, fault: WorkerFault): void {
    if (this.failure === null) this.failure = new WorkerError(w, describeShard(this.shards[w]!), fault);
    // The others stop after their current step, dispose their agents and end; a straggler is terminated.
    this.setControl(CONTROL.stop, 1);
    this.startReady();
    this.workers.forEach((_, other) => this.endSoon(other));
  }

  /** Terminates worker `w` unless it ends by itself within the grace period. */
  private endSoon(w: number): void {
    if (this.exited[w]) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.exited[w]) void this.workers[w]!.terminate();
    }, GRACE_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private onExit(w: number, code: number): void {
    this.exited[w] = true;
    if (this.results[w] === null && this.failure === null) {
      this.fail(w, {
        name: 'exit',
        code: null,
        message: `the thread exited with code ${code} before its result`,
        stack: null,
      });
    }
    if (this.exited.every(Boolean)) this.settle();
  }

  private settle(): void {
    if (this.status === 'ended') return;
    this.status = 'ended';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.readyReject(this.failure ?? new StateError('ERR_DISPOSED', 'ShardedRun.ready: the run ended before it began'));
    if (this.failure !== null) {
      this.reject(this.failure);
      this.subject.error(this.failure);
      this.frameSubject.error(this.failure);
      return;
    }
    if (this.workers.length === 0) {
      // Stopped before it started.
      this.resolve({
        seconds: 0,
        setupSeconds: 0,
        cpuSeconds: 0,
        streamSteps: 0,
        stepsPerSecond: 0,
        steadyStepsPerSecond: 0,
        metrics: {},
        workers: [],
        interrupted: true,
      });
      this.subject.complete();
      this.frameSubject.complete();
      return;
    }
    const workers = this.results as ShardResult[];
    const streamSteps = workers.reduce((a, r) => a + r.steps * r.streams, 0);
    const seconds = (this.lastResultAt - this.learningFrom) / 1000;
    this.resolve({
      seconds,
      setupSeconds: (this.learningFrom - this.createdAt) / 1000,
      cpuSeconds: this.cpuUsed === null ? 0 : (this.cpuUsed.user + this.cpuUsed.system) / 1e6,
      streamSteps,
      stepsPerSecond: seconds > 0 ? streamSteps / seconds : 0,
      steadyStepsPerSecond: workers.reduce((a, r) => a + r.steady.stepsPerSecond, 0),
      metrics: weightedMetrics(workers, this.shards),
      workers,
      interrupted: workers.some((r) => r.interrupted),
    });
    this.subject.complete();
    this.frameSubject.complete();
  }

  /** Sets a control flag and wakes the workers waiting on the pause flag, so they read it. */
  private setControl(slot: number, value: number): void {
    Atomics.store(this.control, slot, value);
    Atomics.notify(this.control, CONTROL.paused);
  }
}
