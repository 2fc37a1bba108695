// The fused engine's WebAssembly SIMD kernels (source: kernels.wat) and the one memory they
// work in. Parameters and optimiser slots live in that memory for good (blocks from a small
// allocator here), so a product with a weight matrix copies in only its activation operand,
// and an optimiser step only its gradient; operands that are plain arrays are copied into a
// scratch block for the duration of one call, and results are copied out.
//
// Growing the memory detaches every typed-array view of it, so views are re-derived: the heap
// counts its growths in `generation` and FusedMatrix re-makes its view when the count moved.
//
// `kernels` is null, and the fused engine keeps its plain JS kernels, when the module does not
// validate here (no SIMD) or TPROP_FUSED_WASM=0.

import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** The module's exports; pointers and strides are byte offsets into the kernel memory. */
export interface KernelExports {
  /** o = Σ_p x(i, p)·w[p, :], x(i, p) at x + i·si + p·sp; o is [rows, cols]. */
  product(x: number, w: number, o: number, rows: number, inner: number, cols: number, si: number, sp: number): void;
  /** o = a·bᵀ for a [rows, inner], b [n, inner]; o is [rows, n]. */
  product_bt(a: number, b: number, o: number, rows: number, inner: number, n: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    step: number,
    beta1: number,
    c1: number,
    beta2: number,
    c2: number,
    epsilon: number,
  ): void;
  rmsprop(
    p: number,
    g: number,
    s: number,
    n: number,
    learningRate: number,
    rho: number,
    c: number,
    epsilon: number,
  ): void;
  sgd(p: number, g: number, n: number, learningRate: number): void;
  sgd_momentum(p: number, g: number, u: number, n: number, learningRate: number, momentum: number): void;
  /** o = tanh(x) over n entries (o may be x), within 4e-7 of Math.tanh, relative. */
  tanh(x: number, o: number, n: number): void;
  /** The gated cell's elementwise forward on nine blocks from b, bs bytes apart (kernels.wat). */
  gated_forward(b: number, bs: number, bz: number, br: number, bb: number, c: number, rows: number, cols: number): void;
  /** The gated cell's deltas and their column sums; returns the loss toward t (kernels.wat). */
  gated_deltas(
    z: number,
    r: number,
    n: number,
    uh: number,
    c: number,
    h: number,
    dh: number,
    t: number,
    w: number,
    scale: number,
    o: number,
    bs: number,
    s: number,
    rows: number,
    cols: number,
  ): number;
  /** o[i, :] += b for every row of o ([rows, cols]). */
  bias_rows(o: number, b: number, rows: number, cols: number): void;
  /** A one-layer stack's sweep back in time, every step's target (kernels.wat, time-step-kernel.ts). */
  time_sweep(
    h: number,
    top: number,
    has: number,
    cont: number,
    w: number,
    b: number,
    act: number,
    clip: number,
    t: number,
    out: number,
    s: number,
    n: number,
    rows: number,
    cols: number,
  ): void;
}

export const KERNEL_EXPORTS: readonly (keyof KernelExports)[] = [
  'product',
  'product_bt',
  'adam',
  'rmsprop',
  'sgd',
  'sgd_momentum',
  'tanh',
  'gated_forward',
  'gated_deltas',
  'bias_rows',
  'time_sweep',
];

/** The committed module's bytes. */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const PAGE = 65536;
const ALIGN = 16;

/**
 * The kernel memory: blocks of 16-byte-aligned bytes handed out first-fit from a free list
 * (freed blocks coalesce), else from the top, growing the memory (at least doubling it) when
 * the top passes its end. Offsets stay valid across growths; views do not (see `generation`).
 */
export class KernelHeap {
  /** Bumped at every growth: views of the old buffer are detached and must be re-made. */
  generation = 0;
  /** A view of the whole memory, re-made at every growth. */
  f32: Float32Array;
  private top = 0;
  /** Free blocks below `top`, by increasing offset, never adjacent to one another. */
  private readonly holes: { at: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  private scratchAt = -1;
  private scratchSize = 0;

  constructor(readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
  }

  /** Bytes handed out and not released (scratch included). */
  get used(): number {
    let n = 0;
    for (const size of this.sizes.values()) n += size;
    return n;
  }

  /** A block of at least `bytes`, or −1 when the memory cannot grow that far. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let best = -1;
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i]!;
      if (h.size >= size && (best < 0 || h.size < this.holes[best]!.size)) best = i;
    }
    let at: number;
    if (best >= 0) {
      const h = this.holes[best]!;
      at = h.at;
      if (h.size === size) this.holes.splice(best, 1);
      else {
        h.at += size;
        h.size -= size;
      }
    } else {
      if (!this.reserve(this.top + size)) return -1;
      at = this.top;
      this.top += size;
    }
    this.sizes.set(at, size);
    return at;
  }

  /** Returns a block from `alloc` (a no-op for an offset not handed out). */
  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) return;
    this.sizes.delete(at);
    const holes = this.holes;
    let i = 0;
    while (i < holes.length && holes[i]!.at < at) i++;
    const before = i > 0 ? holes[i - 1]! : null;
    const after = i < holes.length ? holes[i]! : null;
    let hole: { at: number; size: number };
    if (before && before.at + before.size === at) {
      before.size += size;
      hole = before;
      i--;
    } else {
      hole = { at, size };
      holes.splice(i, 0, hole);
    }
    if (after && hole.at + hole.size === after.at) {
      hole.size += after.size;
      holes.splice(i + 1, 1);
    }
    if (hole.at + hole.size === this.top) {
      this.top = hole.at;
      holes.splice(i, 1);
    }
  }

  /**
   * A scratch block of at least `bytes` for one kernel call, valid until the next call of
   * `scratch`; −1 when the memory cannot grow that far. May grow the memory: take views after.
   */
  scratch(bytes: number): number {
    if (bytes <= this.scratchSize) return this.scratchAt;
    if (this.scratchAt >= 0) this.release(this.scratchAt);
    const size = Math.max(bytes, 2 * this.scratchSize, 64 * 1024);
    this.scratchAt = this.alloc(size);
    this.scratchSize = this.scratchAt >= 0 ? size : 0;
    return this.scratchAt;
  }

  /** Grows the memory to hold `end` bytes; false when it cannot. */
  private reserve(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    const want = Math.max(end, 2 * have);
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return false;
      }
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.generation++;
    return true;
  }
}

/** Why the kernels are off, or null when they are on. */
export let kernelsOff: string | null = null;

function instantiate(): { kernels: KernelExports; heap: KernelHeap } | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.TPROP_FUSED_WASM === '0') {
    kernelsOff = 'TPROP_FUSED_WASM=0';
    return null;
  }
  try {
    const bytes = kernelBytes();
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) {
      kernelsOff = 'WebAssembly SIMD is not supported here';
      return null;
    }
    const memory = new WebAssembly.Memory({ initial: 64 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return { kernels: instance.exports as unknown as KernelExports, heap: new KernelHeap(memory) };
  } catch (err) {
    kernelsOff = `the kernels failed to load (${(err as Error).message})`;
    return null;
  }
}

const loaded = instantiate();
/** The SIMD kernels, or null (plain JS kernels). */
export const kernels: KernelExports | null = loaded?.kernels ?? null;
/** The memory the kernels work in, or null with them. */
export const kernelHeap: KernelHeap | null = loaded?.heap ?? null;
