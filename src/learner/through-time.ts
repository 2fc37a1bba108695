// Target propagation through time (SPEC §2.3–2.4; Manchev & Spratling 2020, difference form).
// Given a window of steps, each with its codes, and a displacement of the top code at some of
// them (ĥ[L,t] − h[L,t] from the top), one sweep from the newest step to the oldest gives every
// layer's target at every step:
//   ĥ[l,t]   = h[l,t] + D_down[l,t] + D_time[l,t]
//   D_down[l−1,t] = g_l^below(ĥ[l,t]) − g_l^below(h[l,t])      (down the layers)
//   D_time[l,t−1] = g_l^prev(ĥ[l,t])  − g_l^prev(h[l,t])       (back in time, zero across an
//                                                                episode boundary)
// (plain form: g(ĥ) − x instead of g(ĥ) − g(h)). Steps and layers that receive no displacement
// get no target. Steps older than the window are dropped (truncation). With `clip` c > 0, each
// D_time[l,t−1] is scaled down per row to a norm of at most c·‖ĥ[l,t] − h[l,t]‖: the inverse
// then cannot amplify a displacement as it travels back.

import type { DenoisingLayer } from './denoising-layer.js';
import { type Engine, timeStepKernel } from '../math/index.js';

/** What the sweep needs of one step of the window. */
export interface WindowStep<M> {
  /** Per layer: the inputs the layer read, [below, context]. */
  readonly inputs: ReadonlyArray<readonly [M, M]>;
  /** Per layer: the code it passed on. */
  readonly codes: readonly M[];
  /** [rows, 1]: 1 where this step continues the previous one (same episode). */
  readonly continues: M;
  /** True when every row of `continues` is 1 (nothing to mask); unknown when left out. */
  readonly continuesAll?: boolean;
}

/**
 * Targets per layer and step (`targets[l][i]`, null where nothing arrived), given the top
 * displacement per step (null where the top gave none). Layer parts: 0 below, 1 context.
 */
export function targetsThroughTime<M>(
  e: Engine<M>,
  layers: readonly DenoisingLayer<M>[],
  steps: readonly WindowStep<M>[],
  topDisplacements: readonly (M | null)[],
  form: 'difference' | 'plain',
  options: { readonly clip?: number } = {},
): (M | null)[][] {
  const clip = options.clip ?? 0;
  const L = layers.length;
  const n = steps.length;
  const fused = timeStepKernel(e);
  // One layer on the SIMD engine: the whole sweep in one call, the same values as below.
  if (fused && L === 1 && form === 'difference' && n > 0) {
    const { weights, bias, activation } = layers[0]!.decoderOf(1);
    const swept = fused.sweep(
      steps.map((s) => s.codes[0]!),
      topDisplacements,
      steps.map((s) => s.continues),
      weights,
      bias,
      activation,
      clip,
    );
    if (swept) return [swept];
  }
  const targets: (M | null)[][] = layers.map(() => new Array<M | null>(n).fill(null));
  // The decoders' reconstructions from the codes themselves, one batched decode per layer.
  // The displacement of the first layer's input (part 0, below it) goes nowhere, and neither
  // does that of the first step's context (part 1, before the window): neither is computed.
  const decoded =
    form === 'plain'
      ? null
      : layers.map((layer, l) => {
          const codes = e.concatRows(steps.map((s) => s.codes[l]!));
          return layer.decoderWeights.map((_, k) =>
            l === 0 && k === 0 ? null : e.splitRows(layer.decodePart(codes, k), n),
          );
        });
  const fromFuture: (M | null)[] = new Array<M | null>(L).fill(null);
  for (let i = n - 1; i >= 0; i--) {
    const step = steps[i]!;
    let fromAbove: M | null = topDisplacements[i] ?? null;
    for (let l = L - 1; l >= 0; l--) {
      const d = fromAbove && fromFuture[l] ? e.add(fromAbove, fromFuture[l]!) : (fromAbove ?? fromFuture[l]);
      if (!d) {
        fromAbove = null;
        fromFuture[l] = null;
        continue;
      }
      const code = step.codes[l]!;
      // The first layer sends nothing down: with its anchor known, one fused call does the step.
      const anchorBack = decoded?.[l]?.[1]?.[i];
      if (fused && l === 0 && i > 0 && anchorBack) {
        const { weights, bias, activation } = layers[0]!.decoderOf(1);
        const mask = step.continuesAll ? null : step.continues;
        const [target, back] = fused.step(code, d, weights, bias, activation, anchorBack, clip, mask);
        targets[0]![i] = target;
        fromAbove = null;
        fromFuture[0] = back;
        continue;
      }
      const target = e.add(code, d);
      targets[l]![i] = target;
      const anchor = decoded ? decoded[l]!.map((part) => part?.[i] ?? null) : undefined;
      const wanted = [l > 0, i > 0];
      const [below, previous] = layers[l]!.displacements(step.inputs[l]!, code, target, form, anchor, wanted);
      fromAbove = l > 0 ? below! : null;
      if (i > 0) {
        const back = clip > 0 ? e.clipRowNorms(previous!, d, clip) : previous!;
        // Masked where an episode starts at this step (a product by 1 changes nothing).
        fromFuture[l] = step.continuesAll ? back : e.mul(back, step.continues);
      } else fromFuture[l] = null;
    }
  }
  return targets;
}
