// The README's "Agent options" tables against the code: every option an agent takes has a row,
// and every row's default is what the agent (or the stack) resolves when the option is left out.

import type { AnomalyScore } from '../../src/metrics/anomaly-score.js';
import { describe, expect, it } from 'vitest';
import { OWN_KEYS, PredictiveAgent } from '../../agents/predictive-agent.js';
import { SupervisedAgent } from '../../agents/supervised-agent.js';
import type { Transition } from '../../src/agent/agent.js';
import { dict, discrete } from '../../src/environment/space.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { Ngram } from '../../src/baselines/ngram.js';
import { FeedForwardStack } from '../../src/learner/feed-forward-stack.js';
import { RECURRENT_OPTION_KEYS, RecurrentStack } from '../../src/learner/recurrent-stack.js';
import { type ResolvedStackOptions, STACK_OPTION_KEYS, TOP_OPTION_KEYS } from '../../src/learner/stack-options.js';
import { resolveOptimizerSpec } from '../../src/optim/optimizer.js';
import { Rng } from '../../src/random.js';
import { useEngine } from '../helpers/engine.js';
import { code, literal, readme, section, table } from './readme-tables.js';

useEngine();

const options = section(readme(), '## Agent options');
/** A symbol the stack reads and a label as a side modality: what both agents accept. */
const space = dict({ observation: discrete(5), label: discrete(3) }, ['label']);
const AGENT_KEYS = OWN_KEYS;
const TOP_KEYS = TOP_OPTION_KEYS;

/** The rolling window of an agent's metrics, measured: feeds labelled steps and finds how many scores it averages. */
function measuredWindow(agent: PredictiveAgent): number {
  const rng = new Rng(3);
  const scores: number[] = [];
  for (let step = 0; step < 1300; step++) {
    const symbol = rng.int(5);
    const transition: Transition = {
      step,
      episode: 0,
      observation: { observation: symbol, label: symbol % 3 },
      reward: 0,
      terminated: false,
      truncated: false,
      info: {},
      first: step === 0,
    };
    scores.push(agent.observe(transition).scores['label/logLoss']!);
  }
  const rolling = agent.metrics()['label/logLoss']!;
  for (let w = 1; w <= scores.length; w++) {
    const recent = scores.slice(-w);
    if (Math.abs(recent.reduce((a, b) => a + b, 0) / w - rolling) < 1e-9) return w;
  }
  return NaN;
}

type Getter = (agent: PredictiveAgent) => unknown;
const resolved = (pick: (o: ResolvedStackOptions & Record<string, unknown>) => unknown): Getter => {
  return (agent) => pick(agent.stack!.options as unknown as ResolvedStackOptions & Record<string, unknown>);
};

/** How to read each documented option's resolved value from an agent. */
const GETTERS: Record<string, Getter> = {
  layers: resolved((o) => o.layers.map((l) => l.size)),
  'layers[i].units': resolved((o) => o.layers[0]!.units),
  'layers[i].cell': resolved((o) => o.layers[0]!.cell),
  'layers[i].noise': resolved((o) => o.layers[0]!.noise),
  'layers[i].updateBias': resolved((o) => o.layers[0]!.updateBias),
  noise: resolved((o) => o.layers[0]!.noise),
  window: resolved((o) => o.window),
  updateEvery: resolved((o) => o.updateEvery),
  predictNext: resolved((o) => o.predictNext),
  streams: resolved((o) => o.streams),
  timeClip: resolved((o) => o.timeClip),
  inputSkip: resolved((o) => o.inputSkip),
  timeWeight: resolved((o) => o.timeWeight),
  timeJacobian: resolved((o) => o.timeJacobian),
  timeJacobianNoise: resolved((o) => o.timeJacobianNoise),
  learner: (agent) => (agent.learner instanceof RecurrentStack && agent.learner === agent.stack ? 'tp' : 'other'),
  inputKey: (agent) => {
    const o = agent.stack!.options;
    const read = Object.entries(space.spaces).find(([, s]) => s.kind === 'discrete' && s.n === o.input.size)![0];
    expect(o.modalities.map((m) => m.name).filter((n) => n !== 'next')).toEqual(['label']);
    return read;
  },
  metricWindow: measuredWindow,
  // The scores' own options, as the next modality's score resolved them ({} documents the defaults).
  anomaly: (agent) => {
    const score = (agent as unknown as { anomalies: Map<string, AnomalyScore[]> }).anomalies.get('next')![0]!;
    expect([score.window, score.history, score.warmup, score.tail]).toEqual([10, 1000, 50, 'both']);
    return {};
  },
  // The n-gram's context: read off an n-gram agent, the only learner that takes it.
  order: () => {
    const ngram = new PredictiveAgent(discrete(5), { learner: 'ngram' });
    const order = (ngram.learner as Ngram).order;
    ngram.dispose();
    return order;
  },
  // No replayed rows unless asked: the learner steps the agent's own streams only.
  rehearse: (agent) => ((agent as unknown as { rehearsal: unknown }).rehearsal === null ? false : 'replayed rows'),
  targetForm: resolved((o) => o.targetForm),
  topTarget: resolved((o) => o.topTarget),
  discriminantStep: resolved((o) => o.top.discriminantStep),
  reconstructionStep: resolved((o) => o.top.reconstructionStep),
  unsupervisedWeight: resolved((o) => o.top.unsupervisedWeight),
  unsupervisedTarget: resolved((o) => o.top.unsupervisedTarget),
  unsupervisedConfidence: resolved((o) => o.top.unsupervisedConfidence),
  corruption: resolved((o) => o.corruption),
  decoderTarget: resolved((o) => o.decoderTarget),
  encoderReconstructionWeight: resolved((o) => o.encoderReconstructionWeight),
  ...Object.fromEntries(TOP_KEYS.map((k) => [`top.${k}`, resolved((o) => (o.top as Record<string, unknown>)[k])])),
  optimizer: resolved((o) => o.optimizer),
  decoderOptimizer: resolved((o) => o.decoderOptimizer),
  readoutOptimizer: resolved((o) => o.readoutOptimizer),
  seed: resolved((o) => o.seed),
  engine: resolved((o) => o.engine),
};

/** A documented default against the resolved value: objects may list only some of their keys. */
function expectDefault(actual: unknown, documented: unknown, name: string): void {
  if (typeof documented === 'object' && documented !== null && !Array.isArray(documented))
    expect(actual, name).toMatchObject(documented);
  else expect(actual, name).toEqual(documented);
}

describe('README: Agent options', () => {
  const { header, rows } = table(options, 'option');
  const documented = new Map(rows.map((r) => [code(r[0]!), r[1]!]));

  it('has one row per option the PredictiveAgent takes (top and layers per key)', () => {
    expect(header.slice(0, 2)).toEqual(['option', 'default']);
    const keys = [
      ...STACK_OPTION_KEYS.filter((k) => k !== 'modalities' && k !== 'top'),
      ...RECURRENT_OPTION_KEYS.filter((k) => k !== 'input'),
      ...AGENT_KEYS,
      ...TOP_KEYS.map((k) => `top.${k}`),
      'layers[i].units',
      'layers[i].cell',
      'layers[i].noise',
      'layers[i].updateBias',
    ];
    expect([...documented.keys()].sort()).toEqual([...keys].sort());
    expect(Object.keys(GETTERS).sort()).toEqual([...keys].sort());
  });

  it("gives each option's default as the PredictiveAgent resolves it", () => {
    const agent = new PredictiveAgent(space);
    for (const [name, cell] of documented) expectDefault(GETTERS[name]!(agent), literal(code(cell)), name);
    agent.dispose();
  });

  it('keeps the rules the table states beside the values', () => {
    // layers[i].noise defaults to the noise option; top.size to 2 × the top layer's width.
    const noisy = new PredictiveAgent(space, { layers: [8, 6], noise: 0.2 });
    expect(noisy.stack!.options.layers.map((l) => l.noise)).toEqual([0.2, 0.2]);
    expect(noisy.stack!.options.top.size).toBe(12);
    noisy.dispose();
    // An optimiser spec without a learning rate keeps the encoders at 5e-4, whatever its kind.
    const sgd = new PredictiveAgent(space, { optimizer: { kind: 'sgd' }, decoderOptimizer: { kind: 'sgd' } });
    expect(sgd.stack!.options.optimizer).toMatchObject({ kind: 'sgd', learningRate: 5e-4 });
    expect(sgd.stack!.options.decoderOptimizer).toMatchObject({ kind: 'sgd', learningRate: 1e-2 });
    sgd.dispose();
  });
});

describe('README: optimiser spec defaults', () => {
  it('gives every key of an optimiser spec with its default', () => {
    const { rows } = table(options, 'optimiser key');
    const defaults = resolveOptimizerSpec({}) as Record<string, unknown>;
    expect(rows.map((r) => code(r[0]!)).sort()).toEqual(Object.keys(defaults).sort());
    for (const r of rows) expect(defaults[code(r[0]!)], r[0]).toEqual(literal(code(r[1]!)));
    expect(resolveOptimizerSpec({ kind: 'sgd' }).learningRate).toBe(1e-2);
  });
});

describe('README: where the SupervisedAgent and the FeedForwardStack differ', () => {
  const differences = table(options.slice(options.indexOf('Where the others differ')), 'option');

  it('has a column for each', () => {
    expect(differences.header).toEqual(['option', 'SupervisedAgent', 'FeedForwardStack']);
  });

  it("gives the SupervisedAgent its own defaults, and the PredictiveAgent's for everything else", () => {
    const predictive = new PredictiveAgent(space);
    const supervised = new SupervisedAgent(space);
    for (const r of differences.rows) {
      const name = code(r[0]!);
      if (r[1] === 'same') expect(GETTERS[name]!(supervised), name).toEqual(GETTERS[name]!(predictive));
      else if (r[1] === '–')
        expect(() => new SupervisedAgent(space, { [name]: 1 } as never), name).toThrow(InvalidOptionError);
      else expectDefault(GETTERS[name]!(supervised), literal(code(r[1]!)), name);
    }
    // Nothing else differs.
    const { predictNext: a, modalities: _a, ...own } = supervised.stack!.options;
    const { predictNext: b, modalities: _b, ...base } = predictive.stack!.options;
    expect([a, b]).toEqual([false, true]);
    expect(own).toEqual(base);
    predictive.dispose();
    supervised.dispose();
  });

  it('gives the FeedForwardStack its own defaults and refuses the options it does not have', () => {
    const stack = new FeedForwardStack({ inputSize: 4 });
    const o = stack.options;
    const read: Record<string, unknown> = {
      layers: o.layers.map((l) => l.size),
      'top.size': o.top.size,
      optimizer: o.optimizer,
      unsupervisedWeight: o.top.unsupervisedWeight,
      inputUnits: o.inputUnits,
      jacobianWeight: o.jacobianWeight,
      jacobianNoise: o.jacobianNoise,
    };
    for (const r of differences.rows) {
      const name = code(r[0]!);
      if (r[2] === '–')
        expect(() => new FeedForwardStack({ inputSize: 4, [name]: 1 } as never), name).toThrow(InvalidOptionError);
      else expectDefault(read[name], literal(code(r[2]!)), name);
    }
    stack.dispose();
  });
});
