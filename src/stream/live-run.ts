// LiveRun: a run that people steer, for the viewer and the CLI: learning in chunks on the event
// loop, with pause, resume, single steps and stop, and hot streams of frames and step events.

import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Agent, Outcome, Transition } from '../agent/agent.js';
import { type Environment, canGiveState } from '../environment/environment.js';
import type { SpaceValue } from '../environment/space.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { Frame, Topology } from '../agent/snapshot.js';
import {
  type RunPosition,
  type TransitionLoopOptions,
  checkRunPosition,
  transitionLoop,
  transitionLoopOptions,
} from './environment-transitions.js';
import { FROM_ENVIRONMENT_DEFAULTS } from './from-environment.js';
import { immediateScheduler } from './immediate-scheduler.js';
import { isInvalidData, learnOptions, type OnInvalid, type StepEvent } from './learn.js';
import { assertPairing } from './run-agent.js';
import { StepRate } from './step-rate.js';

export interface LiveRunOptions {
  /** Seed of the first reset. Default: none (the environment's default). */
  readonly seed?: number;
  /** Finish after this many transitions. Default: no limit. */
  readonly steps?: number;
  /** Finish after this many finished episodes. Default: no limit. */
  readonly episodes?: number;
  /** At least this many milliseconds between two frames while running (>= 0). Default 16. */
  readonly frameIntervalMs?: number;
  /** At most this many steps per turn of the event loop (integer >= 1). Default 64. */
  readonly yieldEvery?: number;
  /**
   * A turn also ends once its steps have taken this many milliseconds (>= 0), so that timers,
   * such as a viewer's frames, run this often however slow a step is. Default 10.
   */
  readonly yieldMs?: number;
  /** 'error' stops the run on invalid data; 'skip' drops and counts the transition. Default 'error'. */
  readonly onInvalid?: OnInvalid;
  /**
   * Continue the run saved at this `position()`, with the agent and the environment restored to
   * where they were then (see `saveRun` / `loadRun`): step and episode counts, the skipped count
   * and the action log go on from it; `steps` and `episodes` count from it. `seed` may be left
   * out (the resumed run's is kept). Default: a new run.
   */
  readonly resume?: LiveRunPosition;
}

/** Where a LiveRun stands between two steps: all a saved run needs besides its agent and environment. */
export interface LiveRunPosition extends RunPosition {
  /** Seed of the run's first reset, or null for none. */
  readonly seed: number | null;
  /** Transitions skipped as invalid so far. */
  readonly skipped: number;
  /**
   * Every action taken since the first reset, for an environment that acts but cannot give its
   * state (a resumed run replays them); null otherwise.
   */
  readonly actions: SpaceValue[] | null;
}

export const LIVE_RUN_DEFAULTS = Object.freeze({
  frameIntervalMs: 16,
  yieldEvery: FROM_ENVIRONMENT_DEFAULTS.yieldEvery,
  yieldMs: 10,
});

/** Where a run stands (the shape of the viewer's RunState). */
export interface LiveRunState {
  readonly paused: boolean;
  /** Transitions taken so far (learned or skipped), those before a resume included. */
  readonly step: number;
  /** Over roughly the last second; 0 while paused, before `start()` and after the end. */
  readonly stepsPerSecond: number;
}

/** What `done` resolves with. */
export interface LiveRunResult {
  /** Transitions taken in all, those before a resume included. */
  readonly steps: number;
  readonly skipped: number;
  readonly metrics: Record<string, number>;
}

/**
 * Learns from `environment` with `agent` (instances, neither disposed nor closed by the run).
 * Nothing happens before `start()`. `pause()` and `resume()` may be called at any time, before
 * `start()` too; pausing a running run emits the frame of the step it stopped at (unless one
 * was just emitted); `step()` takes one step and emits its frame while paused, and is ignored while
 * running or after the end (so a viewer's stray click cannot disturb a run). `done` resolves
 * at `steps`, at `episodes` or on `stop()`, after a last frame and with the final metrics; an
 * error from the agent or environment ends the run, rejects `done` and errors `frames` and
 * `events`. Frames carry the run's own `stepsPerSecond`. The streams are hot and never wait.
 */
export class LiveRun {
  readonly topology: Topology;
  readonly frames: Observable<Frame>;
  readonly events: Observable<StepEvent>;
  readonly done: Promise<LiveRunResult>;
  /**
   * A continuation dreamed from the run's current state by the agent's `dream` (see
   * PredictiveAgent.dream), for viewers: the step it starts after and the dreamed values, plain
   * numbers. Present only when the agent can dream; it changes nothing.
   */
  readonly dream?: (request: { steps: number; temperature: number; seed: number }) => {
    step: number;
    values: (number | number[])[];
  };

  /**
   * For viewers: the side modalities named in `infer`, inferred by the agent's `infer` (see
   * PredictiveAgent.infer) from the run's last observation with those left out and the ones in
   * `clamp` set to the values given (a class index, or a vector). Present only when the agent
   * can infer; it changes nothing.
   */
  readonly infer?: (request: {
    clamp: Readonly<Record<string, number | readonly number[]>>;
    infer: readonly string[];
    method: 'map' | 'mcmc';
    samples: number;
    seed: number;
  }) => { step: number; samples: Record<string, number[]>[] };

  private readonly frameSubject = new Subject<Frame>();
  private readonly eventSubject = new Subject<StepEvent>();
  private readonly transitions: Generator<Transition, void, undefined>;
  private readonly limits: TransitionLoopOptions;
  private readonly frameIntervalMs: number;
  private readonly yieldEvery: number;
  private readonly yieldMs: number;
  private readonly onInvalid: OnInvalid;
  private readonly rate = new StepRate();
  private resolve!: (result: LiveRunResult) => void;
  private reject!: (error: unknown) => void;
  private status: 'idle' | 'running' | 'ended' = 'idle';
  private paused = false;
  private pending: Subscription | undefined;
  private taken = 0;
  private skipped = 0;
  private episodesEnded = 0;
  /** The run's counts at the start of this LiveRun (non-zero when resumed). */
  private readonly startStep: number;
  private episodes: number;
  private last: Transition | null;
  /** The observation of the latest step, also where it ended an episode (what `infer` starts from). */
  private lastObservation: SpaceValue | null = null;
  private readonly seed: number | null;
  private readonly actions: SpaceValue[] | null;
  private sinceFrame = 0;
  private lastFrameAt = -Infinity;

  constructor(
    readonly agent: Agent,
    readonly environment: Environment,
    options: LiveRunOptions = {},
  ) {
    const where = 'LiveRun';
    checkKeys(where, options, [
      'seed',
      'steps',
      'episodes',
      'frameIntervalMs',
      'yieldEvery',
      'yieldMs',
      'onInvalid',
      'resume',
    ]);
    const o = options ?? {};
    const resume = o.resume === undefined ? undefined : checkLiveRunPosition(where, o.resume);
    if (resume !== undefined && o.seed !== undefined && o.seed !== resume.seed) {
      throw new InvalidOptionError(
        `${where}: expected option "seed" to be the resumed run’s (${resume.seed ?? 'none'}) or none, but got ` +
          `${describeValue(o.seed)}`,
      );
    }
    const seed = resume !== undefined ? (resume.seed ?? undefined) : o.seed;
    this.limits = transitionLoopOptions(where, { seed, steps: o.steps, episodes: o.episodes, resume });
    this.seed = this.limits.seed ?? null;
    this.taken = this.startStep = resume?.step ?? 0;
    this.episodes = resume?.episode ?? 0;
    this.skipped = resume?.skipped ?? 0;
    this.last = resume?.last ?? null;
    this.frameIntervalMs = numberOption(
      where,
      'frameIntervalMs',
      o.frameIntervalMs,
      LIVE_RUN_DEFAULTS.frameIntervalMs,
      { min: 0 },
    );
    this.yieldEvery = numberOption(where, 'yieldEvery', o.yieldEvery, LIVE_RUN_DEFAULTS.yieldEvery, {
      integer: true,
      min: 1,
    });
    this.yieldMs = numberOption(where, 'yieldMs', o.yieldMs, LIVE_RUN_DEFAULTS.yieldMs, { min: 0 });
    this.onInvalid = learnOptions(where, { onInvalid: o.onInvalid }).onInvalid;
    assertPairing(where, agent, environment);
    // Replaying is the only way back for an acting environment that cannot give its state.
    this.actions = environment.actionSpace !== null && !canGiveState(environment) ? [...(resume?.actions ?? [])] : null;
    const policy =
      environment.actionSpace === null
        ? undefined
        : () => {
            const action = agent.act!();
            this.actions?.push(structuredClone(action));
            return action;
          };
    this.transitions = transitionLoop(environment, { ...this.limits, policy });
    this.topology = { ...agent.topology, environment: environment.spec?.id ?? agent.topology.environment };
    this.frames = this.frameSubject.asObservable();
    this.events = this.eventSubject.asObservable();
    const dreamer = agent as { dream?: (o: object) => { values: (number | Float32Array)[] } };
    if (typeof dreamer.dream === 'function') {
      this.dream = (request) => ({
        step: this.state().step,
        values: dreamer.dream!(request).values.map((v) => (typeof v === 'number' ? v : Array.from(v))),
      });
    }
    const inferrer = agent as {
      infer?: (known: Record<string, unknown>, o: object) => { samples: Record<string, Float32Array>[] };
    };
    if (typeof inferrer.infer === 'function') {
      this.infer = ({ clamp, infer, method, samples, seed }) => {
        const where = 'LiveRun.infer';
        const last = this.lastObservation;
        if (last === null)
          throw new InvalidOptionError(`${where}: expected an observation to start from, but none came yet`);
        if (typeof last !== 'object' || ArrayBuffer.isView(last))
          throw new InvalidOptionError(`${where}: expected a dict observation (named modalities), but it has none`);
        const known: Record<string, unknown> = { ...last };
        for (const name of infer) delete known[name];
        for (const [name, v] of Object.entries(clamp)) known[name] = typeof v === 'number' ? v : Float32Array.from(v);
        const result = inferrer.infer!(known, { method, samples, seed });
        return {
          step: this.state().step,
          samples: result.samples.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.from(v)]))),
        };
      };
    }
    this.done = new Promise<LiveRunResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Errors also reach `frames` and `events`; an unwatched `done` must not crash the process.
    this.done.catch(() => undefined);
  }

  /** Begins learning (unless paused); a second call does nothing. */
  start(): void {
    if (this.status !== 'idle') return;
    this.status = 'running';
    if (!this.paused) {
      this.rate.restart(this.taken);
      this.schedule();
    }
  }

  pause(): void {
    if (this.status === 'ended' || this.paused) return;
    this.paused = true;
    this.pending?.unsubscribe();
    this.pending = undefined;
    // A viewer of the paused run should see the step it stopped at, not the last sampled one.
    if (this.status === 'running' && this.sinceFrame > 0) this.emitFrame();
  }

  resume(): void {
    if (this.status === 'ended' || !this.paused) return;
    this.paused = false;
    if (this.status === 'running') {
      this.rate.restart(this.taken);
      this.schedule();
    }
  }

  /** One step and its frame while paused; ignored while running and after the end. */
  step(): void {
    if (!this.paused || this.status === 'ended') return;
    // The step may have ended the run, whose last frame `finish` already emitted.
    if (this.takeStep() && !this.ended()) this.emitFrame();
  }

  /** Ends the run: a last frame, `done` resolved, the streams completed. Later calls do nothing. */
  stop(): void {
    if (this.status !== 'ended') this.finish();
  }

  /**
   * Where the run stands now, plain data: with the agent's and the environment's state, all it
   * takes to resume it (`saveRun` writes the three). Read it between steps: after `done`, or
   * while paused.
   */
  position(): LiveRunPosition {
    return {
      step: this.taken,
      episode: this.episodes,
      last: this.last,
      seed: this.seed,
      skipped: this.skipped,
      actions: this.actions === null ? null : [...this.actions],
    };
  }

  state(): LiveRunState {
    const moving = this.status === 'running' && !this.paused;
    return { paused: this.paused, step: this.taken, stepsPerSecond: moving ? this.rate.perSecond(this.taken) : 0 };
  }

  private ended(): boolean {
    return this.status === 'ended';
  }

  private schedule(): void {
    if (this.pending !== undefined || this.paused || this.status !== 'running') return;
    this.pending = immediateScheduler.schedule(() => this.chunk());
  }

  private chunk(): void {
    this.pending = undefined;
    const started = performance.now();
    for (let i = 0; i < this.yieldEvery; i++) {
      if (this.paused || this.status !== 'running') return;
      if (!this.takeStep()) return;
      if (this.status !== 'running') return;
      const now = performance.now();
      if (now - this.lastFrameAt >= this.frameIntervalMs) {
        if (!this.emitFrame()) return;
      }
      if (now - started >= this.yieldMs) break;
    }
    this.rate.record(this.taken);
    this.schedule();
  }

  /** One transition through the agent; false when the run ended or failed on it. */
  private takeStep(): boolean {
    let next: IteratorResult<Transition, void>;
    try {
      next = this.transitions.next();
    } catch (error) {
      this.fail(error);
      return false;
    }
    if (next.done) {
      this.finish();
      return false;
    }
    const transition = next.value;
    this.taken++;
    this.sinceFrame++;
    let outcome: Outcome | undefined;
    try {
      outcome = this.agent.observe(transition);
    } catch (error) {
      if (!(this.onInvalid === 'skip' && isInvalidData(error))) {
        this.fail(error);
        return false;
      }
      this.skipped++;
    }
    if (outcome !== undefined) this.eventSubject.next({ transition, outcome, skipped: this.skipped });
    const ended = transition.terminated || transition.truncated;
    if (ended) {
      this.episodesEnded++;
      this.episodes++;
    }
    this.last = ended ? null : transition;
    this.lastObservation = transition.observation;
    // Ending as soon as the limit is met, so `done` never waits for a step that will not come.
    if (this.taken - this.startStep >= this.limits.steps || this.episodesEnded >= this.limits.episodes) this.finish();
    return true;
  }

  private emitFrame(): boolean {
    let frame: Frame;
    try {
      frame = this.agent.snapshot();
    } catch (error) {
      this.fail(error);
      return false;
    }
    this.sinceFrame = 0;
    this.lastFrameAt = performance.now();
    this.frameSubject.next({ ...frame, stepsPerSecond: this.state().stepsPerSecond });
    return true;
  }

  private finish(): void {
    if (this.sinceFrame > 0 && !this.emitFrame()) return;
    let metrics: Record<string, number>;
    try {
      metrics = { ...this.agent.metrics() };
    } catch (error) {
      this.fail(error);
      return;
    }
    this.end();
    this.resolve({ steps: this.taken, skipped: this.skipped, metrics });
    this.frameSubject.complete();
    this.eventSubject.complete();
  }

  private fail(error: unknown): void {
    this.end();
    this.reject(error);
    this.frameSubject.error(error);
    this.eventSubject.error(error);
  }

  private end(): void {
    this.status = 'ended';
    this.pending?.unsubscribe();
    this.pending = undefined;
    this.transitions.return();
  }
}

/** Validates a LiveRun position (option "resume"): a run position plus seed, skipped count and action log. */
function checkLiveRunPosition(where: string, value: unknown): LiveRunPosition {
  const position = checkRunPosition(where, value);
  const o = value as Record<string, unknown>;
  const seed =
    o.seed === null || o.seed === undefined ? null : numberOption(where, 'resume.seed', o.seed, 0, { integer: true });
  const skipped = numberOption(where, 'resume.skipped', o.skipped ?? 0, 0, {
    integer: true,
    min: 0,
    max: position.step,
  });
  const actions = o.actions ?? null;
  if (actions !== null && !Array.isArray(actions)) {
    throw new InvalidOptionError(
      `${where}: expected option "resume.actions" to be an array of actions or null, but got ${describeValue(actions)}`,
    );
  }
  return { ...position, seed, skipped, actions: actions as SpaceValue[] | null };
}
