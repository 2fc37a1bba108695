// A debug option of the engines: while counting is on (`countEngineCalls(true)`), the engine a
// learner is made with (engineFor) is the chosen one behind a wrapper that counts every call of
// the Engine interface, every matrix its calls return and the bytes of those matrices (rows ×
// cols × 4). For measuring the hot path, and for a test to hold a step to a budget; off, nothing
// is wrapped and nothing is counted. A learner made while counting is off is never counted.

import type { Engine } from './engine.js';

export interface EngineCounts {
  /** Calls of the Engine interface. */
  calls: number;
  /** Matrices the calls returned (each matrix of a returned array counts). */
  matrices: number;
  /** Their bytes, rows × cols × 4. */
  bytes: number;
  /** Floating-point operations of the matrix products (matMul, matMulAT, matMulBT, dense): 2·m·k·n each. */
  flops: number;
  /** Calls by method name. */
  byMethod: Record<string, number>;
}

let counting = false;
/** Read off a counted engine, its uncounted target. */
const TARGET = Symbol('counted engine target');
const counts: EngineCounts = { calls: 0, matrices: 0, bytes: 0, flops: 0, byMethod: {} };
const wrapped = new WeakMap<object, Engine>();
type Call = (key: string, fn: (...a: unknown[]) => unknown, self: unknown, args: unknown[], flops?: number) => unknown;
/** Each counted engine's counting call. */
const callers = new WeakMap<object, Call>();

/** Turns counting on or off for learners made from now on, and zeroes the counts. */
export function countEngineCalls(on: boolean): void {
  counting = on;
  resetEngineCounts();
}

/** Whether learners made now get a counted engine. */
export function engineCounting(): boolean {
  return counting;
}

/** The counts since the last reset (a copy). */
export function engineCounts(): EngineCounts {
  return { ...counts, byMethod: { ...counts.byMethod } };
}

export function resetEngineCounts(): void {
  counts.calls = 0;
  counts.matrices = 0;
  counts.bytes = 0;
  counts.flops = 0;
  counts.byMethod = {};
}

/** `engine` behind the counting wrapper (one wrapper per engine). */
export function countedEngine<M>(engine: Engine<M>): Engine<M> {
  const known = wrapped.get(engine);
  if (known) return known as Engine<M>;
  const isMatrix = (v: unknown): v is M => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    try {
      return Number.isInteger(engine.rows(v as M)) && Number.isInteger(engine.cols(v as M));
    } catch {
      return false;
    }
  };
  const tally = (v: unknown): void => {
    if (Array.isArray(v)) for (const m of v) tally(m);
    else if (isMatrix(v)) {
      counts.matrices += 1;
      counts.bytes += engine.rows(v) * engine.cols(v) * 4;
    }
  };
  // [m, k] · [k, n] in every product's own layout: a·b, aᵀ·b, a·bᵀ, dense(x, w, …).
  const productFlops = (key: string, args: unknown[]): number => {
    const [a, b] = args as [M, M];
    if (key === 'matMul' || key === 'dense') return 2 * engine.rows(a) * engine.cols(a) * engine.cols(b);
    if (key === 'matMulAT') return 2 * engine.rows(a) * engine.cols(a) * engine.cols(b);
    if (key === 'matMulBT') return 2 * engine.rows(a) * engine.cols(a) * engine.rows(b);
    return 0;
  };
  const call: Call = (key, fn, self, args, flops) => {
    counts.calls += 1;
    counts.byMethod[key] = (counts.byMethod[key] ?? 0) + 1;
    counts.flops += flops ?? productFlops(key, args);
    const result = fn.apply(self, args);
    // A scope's result is made by the calls inside it, already counted.
    if (key !== 'scope' && key !== 'keep') tally(result);
    return result;
  };
  const proxy = new Proxy(engine, {
    get(target, key, receiver) {
      if (key === TARGET) return target;
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      // Reading shapes is not work, and the wrapper itself reads them.
      if (key === 'rows' || key === 'cols') return value.bind(target);
      return (...args: unknown[]) => call(key, value, target, args);
    },
  }) as Engine<M>;
  callers.set(proxy, call);
  wrapped.set(engine, proxy as Engine);
  return proxy;
}

/** The engine behind a counted one (`e` itself when not counted). */
export function uncountedEngine<M>(e: Engine<M>): Engine<M> {
  return ((e as unknown as Record<symbol, Engine<M> | undefined>)[TARGET] ?? e) as Engine<M>;
}

/**
 * An engine's own kernels (an object of functions beside the Engine interface, such as the gated
 * cell's), counted as calls of `e` when `e` is counted: each call, named `name.method`, the
 * matrices it returns and the products' operations `flops` gives for its arguments. Unchanged
 * when `e` is not counted.
 */
export function countedKernels<T extends object>(
  e: Engine,
  name: string,
  kernels: T,
  flops: (key: string, args: unknown[]) => number = () => 0,
): T {
  const call = callers.get(e);
  if (!call) return kernels;
  const out: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(kernels))
    out[key] =
      typeof fn === 'function'
        ? (...args: unknown[]) =>
            call(`${name}.${key}`, fn as (...a: unknown[]) => unknown, kernels, args, flops(key, args))
        : fn;
  return out as T;
}
