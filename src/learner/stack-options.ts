// Options shared by the feed-forward and the recurrent stack: documented defaults, validated
// once at construction (an invalid or unknown option throws InvalidOptionError at once).
// Defaults below are the feed-forward stack's; the recurrent stack (and so the agents) resolves
// a few differently (recurrent-stack.ts: layers [64], encoders at 5e-4, unsupervisedWeight 0).
// The README's "Agent options" table lists the agents' defaults, checked by test/docs.

import { PRIOR_KINDS, type PriorKind, type PriorOptions } from '../priors/top-prior.js';
import { totalmem } from 'node:os';
import { InvalidOptionError, describeValue } from '../errors.js';
import { CORRUPTIONS, type Corruption, ENGINE_KINDS, type EngineChoice, UNITS, type Units } from '../math/index.js';
import { type ModalitySpec, checkModality } from './modality.js';
import { type OptimizerSpec, type ResolvedOptimizerSpec, resolveOptimizerSpec } from '../optim/optimizer.js';
import { booleanOption, checkKeys, choiceOption, numberOption } from '../options.js';
import type { DenoisingLayerConfig, LayerInput } from './denoising-layer.js';
import { TOP_TARGETS, type TopTargetKind } from './top.js';

/** Layer kinds: 'simple', a tanh (or other units) recurrence; 'gated', a GRU-style cell (gated-layer.ts). */
export const LAYER_CELLS = ['simple', 'gated'] as const;
export type LayerCell = (typeof LAYER_CELLS)[number];

export interface LayerSpec {
  readonly size: number;
  /** Default 'tanh'. */
  readonly units?: Units;
  /** Default 'simple'; 'gated' (recurrent stack only) needs tanh units. */
  readonly cell?: LayerCell;
  /** Std of the up-pass noise around this layer's codes while training; default the stack's `noise`. */
  readonly noise?: number;
  /** Gated cells only: the update gate's initial bias (higher keeps more state per step); default 0. */
  readonly updateBias?: number;
}

export interface TopOptions {
  /** Hidden width of the top auto-encoder; default 2 × the top code's width. */
  readonly size?: number;
  /** Std of the corruption of the top code while the top AE trains; default 0.1. */
  readonly noise?: number;
  /**
   * Probability of masking out a present side modality while the top AE trains; default 0.5. A
   * record gives it per modality by name (0.5 for a modality it leaves out): e.g. an acting agent
   * never masks the action and always masks the return, so that every step teaches R̂(h, a).
   */
  readonly dropProbability?: number | Readonly<Record<string, number>>;
  /** Weight of side reconstruction against code reconstruction; default 1. */
  readonly sideWeight?: number;
  /** Train the top auto-encoder even when the discriminant target does not need it; default false. */
  readonly trainAutoEncoder?: boolean;
  /**
   * Probability of masking the whole top code while the top auto-encoder trains, so that it also
   * learns to reconstruct the code from the side alone (what inferring a bottom modality from a
   * side one starts from, e.g. an image from its label). Default 0.
   */
  readonly codeDropProbability?: number;
  /** The prior of a prior target (`unsupervisedTarget` 'gaussian', 'factorial', 'parzen', 'nearest-neighbour'). */
  readonly prior?: PriorOptions;
  /** Walkback steps of the top auto-encoder's training (top-autoencoder.ts); default 0. */
  readonly walkback?: number;
  /**
   * Weight of each modality in the discriminant top target, by name (1 for a modality it leaves
   * out): 0 keeps a modality out of the codes' targets while the top still learns it, e.g. the
   * action an acting agent chose, which the codes should not be pushed to predict. Default all 1.
   */
  readonly targetWeights?: Readonly<Record<string, number>>;
  /**
   * Rows of past steps with side information the top auto-encoder keeps (a ring, oldest out) and
   * replays: `rows` of them drawn with each learning pass beside the new ones. Default 0 (none).
   */
  readonly replay?: number;
  /** Rows drawn from `replay` per learning pass; default 16. */
  readonly replayRows?: number;
}

export interface StackOptions {
  /**
   * Hidden layers, bottom to top; a number is a tanh layer of that width. Default [240, 240, 240] for the
   * feed-forward stack, [64] for the recurrent stack and the agents.
   */
  readonly layers?: ReadonlyArray<LayerSpec | number>;
  /** Side modalities entering the top (labels, the next observation, ...). Default none. */
  readonly modalities?: readonly ModalitySpec[];
  /** 'difference' (default; Lee et al. 2015) or 'plain' (g(ĥ); Bengio 2014). */
  readonly targetForm?: 'difference' | 'plain';
  /** How the top target is made; default 'discriminant' (see top.ts). */
  readonly topTarget?: TopTargetKind;
  /** β of the reconstruction target; default 1 (the reconstruction itself). */
  readonly reconstructionStep?: number;
  /** η of the discriminant target; default 0.5. */
  readonly discriminantStep?: number;
  /** Weight of the target of rows missing their side information, against labelled rows; default 1 (0 recurrent). */
  readonly unsupervisedWeight?: number;
  /**
   * 'pseudo-label' (default: fill a missing side with the top's own most likely class, one shot),
   * 'density' (seed paper: rec(h, ∅)), or a step up the log density of a prior over top codes
   * fitted online (src/priors): 'gaussian', 'factorial', 'parzen', 'nearest-neighbour'. 'map' is
   * a deprecated alias of 'pseudo-label'.
   */
  readonly unsupervisedTarget?: 'pseudo-label' | 'map' | UnsupervisedTarget;
  /** 'pseudo-label' only: probability a filled-in class must reach to count; default 0.7. */
  readonly unsupervisedConfidence?: number;
  /** Corruption of each layer's input while its decoder trains; default gaussian 0.1. */
  readonly corruption?: Corruption;
  /** Std of up-pass noise around codes while training; default 0. */
  readonly noise?: number;
  /** The decoder regresses onto the 'corrupted' input (default, DTP) or the 'clean' one. */
  readonly decoderTarget?: 'corrupted' | 'clean';
  /** Weight of the reconstruction gradient on encoders; default 0. */
  readonly encoderReconstructionWeight?: number;
  readonly top?: TopOptions;
  /** Optimiser of the encoders; default adam, learning rate 0.001 (0.0005 in the recurrent stack, any kind). */
  readonly optimizer?: OptimizerSpec;
  /** Optimiser of the decoders and the top auto-encoder; default adam, learning rate 0.001. */
  readonly decoderOptimizer?: OptimizerSpec;
  /** Optimiser of the readout (discriminant top); default adam, learning rate 0.001. */
  readonly readoutOptimizer?: OptimizerSpec;
  /** Seed of every random draw; default 0. */
  readonly seed?: number;
  /** 'tfjs', 'fused' (wasm kernels, fastest at batch 1) or 'auto' (default); see math/engine-choice.ts. */
  readonly engine?: EngineChoice;
}

export interface ResolvedStackOptions {
  readonly layers: Required<LayerSpec>[];
  readonly modalities: readonly ModalitySpec[];
  readonly targetForm: 'difference' | 'plain';
  readonly topTarget: TopTargetKind;
  readonly corruption: Corruption;
  readonly decoderTarget: 'corrupted' | 'clean';
  readonly encoderReconstructionWeight: number;
  readonly top: {
    readonly size: number;
    readonly noise: number;
    /** One probability for every modality, or one per modality in the order of `modalities`. */
    readonly dropProbability: number | readonly number[];
    readonly sideWeight: number;
    readonly trainAutoEncoder: boolean;
    readonly codeDropProbability: number;
    /** Per modality, in the order of `modalities`. */
    readonly targetWeights: readonly number[];
    readonly prior: PriorOptions;
    readonly walkback: number;
    readonly replay: number;
    readonly replayRows: number;
    readonly reconstructionStep: number;
    readonly discriminantStep: number;
    readonly unsupervisedWeight: number;
    readonly unsupervisedTarget: UnsupervisedTarget;
    readonly unsupervisedConfidence: number;
  };
  readonly optimizer: ResolvedOptimizerSpec;
  readonly decoderOptimizer: ResolvedOptimizerSpec;
  readonly readoutOptimizer: ResolvedOptimizerSpec;
  readonly seed: number;
  readonly engine: EngineChoice;
}

/** The keys of the `top` option. */
export const TOP_OPTION_KEYS: readonly string[] = Object.freeze([
  'size',
  'noise',
  'dropProbability',
  'sideWeight',
  'trainAutoEncoder',
  'codeDropProbability',
  'prior',
  'walkback',
  'targetWeights',
  'replay',
  'replayRows',
]);

export const STACK_OPTION_KEYS = [
  'layers',
  'modalities',
  'targetForm',
  'topTarget',
  'reconstructionStep',
  'discriminantStep',
  'unsupervisedWeight',
  'unsupervisedTarget',
  'unsupervisedConfidence',
  'corruption',
  'noise',
  'decoderTarget',
  'encoderReconstructionWeight',
  'top',
  'optimizer',
  'decoderOptimizer',
  'readoutOptimizer',
  'seed',
  'engine',
] as const;

/**
 * The most memory a stack may ask for, whatever the machine: 2 GiB. The wasm engines keep every
 * matrix in a 32-bit memory of at most 4 GiB, and learning needs room beside the parameters.
 */
export const STACK_MEMORY_CAP_BYTES = 2 * 2 ** 30;

/** What a stack may ask for here: the smaller of STACK_MEMORY_CAP_BYTES and half of this machine's memory. */
export function stackMemoryLimit(): number {
  return Math.min(STACK_MEMORY_CAP_BYTES, totalmem() / 2);
}

/** What the estimate needs beyond the resolved options (the recurrent stack's own). */
export interface StackShape {
  /** Width of the input. */
  readonly input: number;
  /** Steps kept in the window. */
  readonly window: number;
  readonly streams: number;
}

const slotsOf = (o: ResolvedOptimizerSpec): number =>
  o.kind === 'adam' ? 2 : o.kind === 'rmsprop' || o.momentum > 0 ? 1 : 0;

/**
 * An estimate, in bytes, of the memory a stack with these options takes: its parameters (each
 * layer's encoder and decoder over its two inputs, the top auto-encoder, the readout), as many
 * again for their gradients, the optimisers' slots, and the window's codes twice over (they are
 * gathered again for each learning pass), all float32.
 */
export function estimateStackBytes(options: ResolvedStackOptions, shape: StackShape): number {
  let parameters = 0;
  let perStep = 0;
  let below = shape.input;
  for (const { size, cell } of options.layers) {
    parameters += 2 * (below * size + size * size) + 2 * size + below;
    if (cell === 'gated') parameters += 2 * (below * size + size * size + size);
    perStep += below + 2 * size;
    below = size;
  }
  const code = below;
  const sides = options.modalities.reduce((sum, m) => sum + m.size, 0) + shape.input;
  const hidden = options.top.size;
  parameters += 2 * hidden * (code + sides + options.modalities.length + 1) + hidden + code + sides;
  parameters += code * sides + sides;
  const slots = Math.max(...[options.optimizer, options.decoderOptimizer, options.readoutOptimizer].map(slotsOf));
  const window = 2 * shape.window * shape.streams * (perStep + sides);
  return 4 * (parameters * (2 + slots) + window);
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;

/**
 * Throws InvalidOptionError, before anything is allocated, when the estimate of
 * `estimateStackBytes` exceeds `stackMemoryLimit()`: layers or a window too large to set up.
 * Without `shape` the layers and the top alone are estimated (a lower bound).
 */
export function checkStackMemory(where: string, options: ResolvedStackOptions, shape?: StackShape): void {
  const bytes = estimateStackBytes(options, shape ?? { input: 0, window: 1, streams: 1 });
  const limit = stackMemoryLimit();
  if (bytes <= limit) return;
  const layers = `layers [${options.layers.map((l) => l.size).join(', ')}], top size ${options.top.size}`;
  const what =
    shape === undefined
      ? `${layers} alone need at least ${gib(bytes)}`
      : `${layers}, window ${shape.window} and ${shape.streams} stream(s) need about ${gib(bytes)}`;
  throw new InvalidOptionError(
    `${where}: expected options whose parameters, optimiser slots and window fit in ${gib(limit)} (the smaller ` +
      `of ${gib(STACK_MEMORY_CAP_BYTES)} and half of this machine's ${gib(totalmem())}), but ${what}`,
  );
}

export function resolveStackOptions(
  options: StackOptions,
  where: string,
  extraKeys: readonly string[] = [],
  defaultEngine: EngineChoice = 'auto',
  defaultCell: LayerCell = 'simple',
): ResolvedStackOptions {
  checkKeys(where, options, [...STACK_OPTION_KEYS, ...extraKeys]);
  const noise = numberOption(where, 'noise', options.noise, 0, { min: 0 });
  const rawLayers = options.layers ?? [240, 240, 240];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0)
    throw new InvalidOptionError(
      `${where}: expected option "layers" to be a non-empty array, but got ${describeValue(rawLayers)}`,
    );
  const layers = rawLayers.map((spec, i) => {
    const s: LayerSpec = typeof spec === 'number' ? { size: spec } : spec;
    const at = `${where}.layers[${i}]`;
    checkKeys(at, s, ['size', 'units', 'cell', 'noise', 'updateBias']);
    const units = choiceOption(at, 'units', s.units, 'tanh', UNITS);
    // A default cell applies to tanh layers: a gated cell's candidate is a tanh.
    const cell = choiceOption(at, 'cell', s.cell, units === 'tanh' ? defaultCell : 'simple', LAYER_CELLS);
    if (cell === 'gated' && units !== 'tanh')
      throw new InvalidOptionError(
        `${at}: expected units "tanh" for a gated cell (its candidate is a tanh mixed with the context), but got ` +
          `"${units}"`,
      );
    if (s.updateBias !== undefined && cell !== 'gated')
      throw new InvalidOptionError(
        `${at}: expected "updateBias" only with cell "gated" (a simple cell has no update gate), but got cell ` +
          `"${cell}"`,
      );
    return {
      size: numberOption(at, 'size', s.size, NaN, { integer: true, min: 1 }),
      units,
      cell,
      noise: numberOption(at, 'noise', s.noise, noise, { min: 0 }),
      updateBias: numberOption(at, 'updateBias', s.updateBias, 0),
    };
  });
  const modalities = options.modalities ?? [];
  if (!Array.isArray(modalities))
    throw new InvalidOptionError(
      `${where}: expected option "modalities" to be an array, but got ${describeValue(modalities)}`,
    );
  modalities.forEach((m, i) => checkModality(m, `${where}.modalities[${i}]`));
  const names = new Set(modalities.map((m) => m.name));
  if (names.size !== modalities.length)
    throw new InvalidOptionError(
      `${where}: expected distinct modality names, but got [${modalities.map((m) => m.name).join(', ')}]`,
    );
  const corruption = options.corruption ?? { kind: 'gaussian', level: 0.1 };
  checkKeys(`${where}.corruption`, corruption, ['kind', 'level']);
  choiceOption(`${where}.corruption`, 'kind', corruption.kind, 'gaussian', CORRUPTIONS);
  numberOption(`${where}.corruption`, 'level', corruption.level, 0.1, {
    min: 0,
    ...(corruption.kind === 'gaussian' ? {} : { max: 1 }),
  });
  const top = options.top ?? {};
  checkKeys(`${where}.top`, top, TOP_OPTION_KEYS);
  const topCode = layers[layers.length - 1]!.size;
  const resolved: ResolvedStackOptions = {
    layers,
    modalities,
    targetForm: choiceOption(where, 'targetForm', options.targetForm, 'difference', ['difference', 'plain'] as const),
    topTarget: choiceOption(where, 'topTarget', options.topTarget, 'discriminant', TOP_TARGETS),
    corruption: { kind: corruption.kind, level: corruption.level ?? 0.1 },
    decoderTarget: choiceOption(where, 'decoderTarget', options.decoderTarget, 'corrupted', [
      'corrupted',
      'clean',
    ] as const),
    encoderReconstructionWeight: numberOption(
      where,
      'encoderReconstructionWeight',
      options.encoderReconstructionWeight,
      0,
      { min: 0 },
    ),
    top: {
      size: numberOption(`${where}.top`, 'size', top.size, 2 * topCode, { integer: true, min: 1 }),
      noise: numberOption(`${where}.top`, 'noise', top.noise, 0.1, { min: 0 }),
      dropProbability: dropOption(`${where}.top`, top.dropProbability, modalities),
      targetWeights: targetWeightsOption(`${where}.top`, top.targetWeights, modalities),
      sideWeight: numberOption(`${where}.top`, 'sideWeight', top.sideWeight, 1, { min: 0 }),
      trainAutoEncoder: booleanOption(`${where}.top`, 'trainAutoEncoder', top.trainAutoEncoder, false),
      codeDropProbability: numberOption(`${where}.top`, 'codeDropProbability', top.codeDropProbability, 0, {
        min: 0,
        max: 1,
      }),
      prior: priorOptions(`${where}.top.prior`, top.prior),
      walkback: numberOption(`${where}.top`, 'walkback', top.walkback, 0, { integer: true, min: 0, max: 10 }),
      replay: numberOption(`${where}.top`, 'replay', top.replay, 0, { integer: true, min: 0 }),
      replayRows: numberOption(`${where}.top`, 'replayRows', top.replayRows, 16, { integer: true, min: 1 }),
      reconstructionStep: numberOption(where, 'reconstructionStep', options.reconstructionStep, 1, { min: 0 }),
      discriminantStep: numberOption(where, 'discriminantStep', options.discriminantStep, 0.5, { min: 0 }),
      unsupervisedWeight: numberOption(where, 'unsupervisedWeight', options.unsupervisedWeight, 1, { min: 0 }),
      unsupervisedConfidence: numberOption(where, 'unsupervisedConfidence', options.unsupervisedConfidence, 0.7, {
        min: 0,
        max: 1,
      }),
      // 'map' was this option's first name; saved configs still load.
      unsupervisedTarget: resolveUnsupervisedTarget(
        choiceOption(where, 'unsupervisedTarget', options.unsupervisedTarget, 'pseudo-label', [
          'pseudo-label',
          'map',
          'density',
          ...PRIOR_KINDS,
        ] as const),
      ),
    },
    optimizer: resolveOptimizerSpec(options.optimizer, `${where}.optimizer`),
    decoderOptimizer: resolveOptimizerSpec(options.decoderOptimizer, `${where}.decoderOptimizer`),
    readoutOptimizer: resolveOptimizerSpec(options.readoutOptimizer, `${where}.readoutOptimizer`),
    seed: numberOption(where, 'seed', options.seed, 0, { integer: true }),
    engine: choiceOption(where, 'engine', options.engine, defaultEngine, ENGINE_KINDS),
  };
  // A lower bound (no input, one step): the recurrent stack checks again with its input and window.
  checkStackMemory(where, resolved);
  return resolved;
}

/** The deprecated 'map' names the same one-shot pseudo-label fill (it never was MAP inference). */
function resolveUnsupervisedTarget(value: 'pseudo-label' | 'map' | UnsupervisedTarget): UnsupervisedTarget {
  return value === 'map' ? 'pseudo-label' : value;
}

/** How rows missing their side information get a top target. */
export type UnsupervisedTarget = 'pseudo-label' | 'density' | PriorKind;

function priorOptions(where: string, options: PriorOptions | undefined): PriorOptions {
  checkKeys(where, options, ['history', 'capacity']);
  return {
    history: numberOption(where, 'history', options?.history, 1000, { integer: true, min: 1 }),
    capacity: numberOption(where, 'capacity', options?.capacity, 500, { integer: true, min: 2 }),
  };
}

/** The config of one layer of a stack: its spec's size, units and noise, the stack's decoder settings. */
export function layerConfig(
  options: ResolvedStackOptions,
  spec: { readonly size: number; readonly units: Units; readonly noise: number },
  inputs: readonly LayerInput[],
): DenoisingLayerConfig {
  return {
    inputs,
    size: spec.size,
    units: spec.units,
    corruption: options.corruption,
    noise: spec.noise,
    decoderTarget: options.decoderTarget,
    encoderReconstructionWeight: options.encoderReconstructionWeight,
  };
}

/** A record by modality name (`option`), resolved to one number per modality, `fallback` for one left out. */
function perModality(
  where: string,
  option: string,
  value: Readonly<Record<string, number>>,
  modalities: readonly ModalitySpec[],
  fallback: number,
  bounds: { min: number; max?: number },
): readonly number[] {
  const at = `${where} option "${option}"`;
  const names = modalities.map((m) => m.name);
  checkKeys(at, value, names);
  return names.map((name) => numberOption(at, name, value[name], fallback, bounds));
}

/** `top.dropProbability`: a number, or a record by modality name resolved to one per modality. */
function dropOption(
  where: string,
  value: number | Readonly<Record<string, number>> | undefined,
  modalities: readonly ModalitySpec[],
): number | readonly number[] {
  if (value === undefined || typeof value === 'number')
    return numberOption(where, 'dropProbability', value, 0.5, { min: 0, max: 1 });
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidOptionError(
      `${where}: expected option "dropProbability" to be a number or a record by modality, ` +
        `but got ${describeValue(value)}`,
    );
  return perModality(where, 'dropProbability', value, modalities, 0.5, { min: 0, max: 1 });
}

/** `top.targetWeights`: a record by modality name, resolved to one weight ≥ 0 per modality (default 1). */
function targetWeightsOption(
  where: string,
  value: Readonly<Record<string, number>> | undefined,
  modalities: readonly ModalitySpec[],
): readonly number[] {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value)))
    throw new InvalidOptionError(
      `${where}: expected option "targetWeights" to be a record by modality, but got ${describeValue(value)}`,
    );
  return perModality(where, 'targetWeights', value ?? {}, modalities, 1, { min: 0 });
}
