// A stand-in for a learning run: synthetic frames of a fixed topology, produced in a tight
// setImmediate loop (as fast as the event loop allows) or on a timer; honours pause/resume/step.

import { Subject, type Observable } from 'rxjs';
import type { Frame, LayerFrame, ModalityFrame, ScoredValue, Topology } from '../../../src/agent/snapshot.js';
import type { RunController, RunState } from '../../../server/run-controller.js';

export interface FakeRunOptions {
  /** Code widths bottom to top; default [32, 16]. */
  readonly layerSizes?: readonly number[];
  /** Width of the input the bottom layer reconstructs; default 24. */
  readonly inputSize?: number;
  /** 'immediate' steps in a setImmediate loop; 'timer' every `intervalMs`. */
  readonly mode?: 'immediate' | 'timer';
  readonly intervalMs?: number;
  /** Busy work per step in milliseconds, to stand in for learning. */
  readonly workMs?: number;
  readonly startPaused?: boolean;
  /**
   * Reuse a ring of this many sets of layer arrays instead of allocating each step (0, the
   * default, allocates). For load tests with big layers, where garbage collection would
   * otherwise swamp the step rate. The viewer only ever encodes the latest frame, at once.
   */
  readonly recycle?: number;
  /** From this step on frames also carry the metric `legal`, which the topology does not list. Default never. */
  readonly legalFrom?: number;
}

export interface FakeRun extends RunController {
  /** Steps taken so far. */
  readonly steps: number;
  /** Milliseconds spent inside steps so far (their share of wall time shows what else ran). */
  readonly busyMs: number;
  /** Ends the run for good (completes `frames`). */
  stop(): void;
}

const CLASSES = ['left', 'right', 'up', 'down'];

function topologyOf(sizes: readonly number[]): Topology {
  return {
    agent: 'fake',
    environment: 'synthetic',
    layers: sizes.map((size, i) => ({ name: `h${i + 1}`, size, units: i === 0 ? 'sigmoid' : 'tanh' })),
    modalities: [
      { name: 'action', kind: 'categorical', size: CLASSES.length, labels: CLASSES },
      { name: 'signal', kind: 'continuous', size: 2 },
    ],
    losses: ['encoder', 'reconstruction', 'top'],
    metrics: ['accuracy', 'logLoss'],
    about: {
      losses: { encoder: { definition: 'synthetic encoder loss' } },
      metrics: {
        accuracy: { definition: 'synthetic accuracy', range: [0, 1], chance: 0.25 },
        legal: { definition: 'synthetic legal share', range: [0, 1] },
      },
    },
  };
}

/** The synthetic values of a layer's arrays: a sine over units and steps (tanh) or its [0, 1] copy. */
export function wave(size: number, step: number, phase: number, tanh: boolean, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = Math.sin(step * 0.07 + i * 0.37 + phase);
    out[i] = tanh ? v : 0.5 + 0.5 * v;
  }
  return out;
}

/** Steps of recent codes a fake frame carries. */
export const RECENT = 32;

function recentCodes(size: number, step: number, phase: number, tanh: boolean): Float32Array {
  const rows = Math.min(step, RECENT);
  const out = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) out.set(wave(size, step - rows + 1 + r, phase, tanh), r * size);
  return out;
}

export function createFakeRun(options: FakeRunOptions = {}): FakeRun {
  const {
    layerSizes = [32, 16],
    inputSize = 24,
    mode = 'immediate',
    intervalMs = 5,
    workMs = 0,
    recycle = 0,
    legalFrom = Number.POSITIVE_INFINITY,
  } = options;
  const topology = topologyOf(layerSizes);
  const subject = new Subject<Frame>();
  let paused = options.startPaused ?? false;
  let stopped = false;
  let step = 0;
  let scheduled = false;
  let correct = 0;
  let lastSignal: ScoredValue | null = null;

  const ring = Array.from({ length: recycle }, () =>
    layerSizes.map((size, i) => ({
      code: new Float32Array(size),
      target: new Float32Array(size),
      reconstruction: new Float32Array(i === 0 ? inputSize : layerSizes[i - 1]),
    })),
  );

  function makeFrame(): Frame {
    const arrays = recycle > 0 ? ring[step % recycle] : undefined;
    const layers: LayerFrame[] = topology.layers.map((l, i) => {
      const below = i === 0 ? inputSize : layerSizes[i - 1];
      const tanh = l.units === 'tanh';
      return {
        name: l.name,
        code: wave(l.size, step, i, tanh, arrays?.[i].code),
        target: step === 1 ? null : wave(l.size, step - 3, i, tanh, arrays?.[i].target),
        targetStep: step === 1 ? null : step - 3,
        input: wave(below, step, i, i > 0),
        reconstruction: wave(below, step, i + 0.5, i > 0, arrays?.[i].reconstruction),
        reconstructionError: 0.1 / (1 + step * 0.01) + 0.01 * Math.abs(Math.sin(step * 0.1 + i)),
        recentCodes: recycle > 0 ? new Float32Array(0) : recentCodes(l.size, step, i, tanh),
        recentFrom: Math.max(1, step - RECENT + 1),
      };
    });
    const cls = step % CLASSES.length;
    const p = CLASSES.map((_, k) => (k === cls ? 0.55 : 0.15));
    const guess = (step * 7) % 3 === 0 ? (cls + 1) % CLASSES.length : cls;
    if (guess === cls) correct++;
    const actualClass = new Float32Array(CLASSES.length);
    actualClass[cls] = 1;
    const absent = step % 10 === 9;
    const signalScored = Float32Array.of(Math.sin(step * 0.05) * 0.9, Math.cos(step * 0.03) * 0.8);
    const signalActual = Float32Array.of(Math.sin(step * 0.05), Math.cos(step * 0.03));
    if (!absent) lastSignal = { step, scored: signalScored, actual: signalActual };
    const modalities: ModalityFrame[] = [
      {
        name: 'action',
        scored: Float32Array.from(p),
        actual: actualClass,
        forecast: Float32Array.from(p).reverse(),
        lastScored: { step, scored: Float32Array.from(p), actual: actualClass },
      },
      {
        name: 'signal',
        scored: absent ? null : signalScored,
        actual: absent ? null : signalActual,
        forecast: Float32Array.of(Math.sin(step * 0.05 + 0.05), Math.cos(step * 0.03 + 0.03)),
        lastScored: absent ? lastSignal : { step, scored: signalScored, actual: signalActual },
      },
    ];
    return {
      step,
      episode: Math.floor(step / 500),
      layers,
      modalities,
      losses: {
        encoder: 1 / (1 + step * 0.002),
        reconstruction: 0.5 / (1 + step * 0.003),
        top: 0.2 + 0.1 * Math.sin(step * 0.01),
      },
      metrics: { accuracy: correct / step, logLoss: -Math.log(0.55), ...(step >= legalFrom && { legal: 0.9 }) },
      stepsPerSecond: paused ? 0 : perSecond,
    };
  }

  // Steps per second over half-second windows: cheap enough for thousands of steps a second.
  let windowStart = performance.now();
  let windowSteps = 0;
  let perSecond = 0;
  function count(): void {
    windowSteps++;
    const now = performance.now();
    if (now - windowStart >= 500) {
      perSecond = (windowSteps * 1000) / (now - windowStart);
      windowStart = now;
      windowSteps = 0;
    }
  }

  let busyMs = 0;
  function takeStep(): void {
    const start = performance.now();
    if (workMs > 0) {
      const until = performance.now() + workMs;
      while (performance.now() < until);
    }
    step++;
    count();
    subject.next(makeFrame());
    busyMs += performance.now() - start;
  }

  function loop(): void {
    scheduled = false;
    if (paused || stopped) return;
    takeStep();
    schedule();
  }

  function schedule(): void {
    if (scheduled || paused || stopped) return;
    scheduled = true;
    if (mode === 'immediate') setImmediate(loop);
    else setTimeout(loop, intervalMs);
  }

  schedule();
  return {
    topology,
    frames: subject.asObservable() as Observable<Frame>,
    get steps() {
      return step;
    },
    get busyMs() {
      return busyMs;
    },
    state(): RunState {
      return { paused, step, stepsPerSecond: paused ? 0 : perSecond };
    },
    pause() {
      paused = true;
    },
    resume() {
      if (paused) {
        windowStart = performance.now();
        windowSteps = 0;
      }
      paused = false;
      schedule();
    },
    step() {
      if (paused && !stopped) takeStep();
    },
    stop() {
      stopped = true;
      subject.complete();
    },
  };
}
