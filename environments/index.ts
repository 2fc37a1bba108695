// The built-in environments: importing this module registers each under its versioned id (once,
// even if the module is evaluated again) and re-exports the classes and their factories.

import type { Environment } from '../src/environment/environment.js';
import { hasEnvironment, registerEnvironment } from '../src/environment/environment-registry.js';
import { ADDING_PROBLEM_DEFAULTS, AddingProblem } from './adding-problem.js';
import type { AddingProblemOptions } from './adding-problem.js';
import { CART_POLE_DEFAULTS, CartPole } from './cart-pole.js';
import type { CartPoleOptions } from './cart-pole.js';
import { CHANNEL_DROPOUT_DEFAULTS, ChannelDropout } from './channel-dropout.js';
import type { ChannelDropoutOptions } from './channel-dropout.js';
import { EMBEDDED_REBER_DEFAULTS, EmbeddedReberGrammar } from './embedded-reber-grammar.js';
import { INJECTED_ANOMALIES_DEFAULTS, InjectedAnomalies } from './injected-anomalies.js';
import type { InjectedAnomaliesOptions } from './injected-anomalies.js';
import { KEY_DOOR_DEFAULTS, KeyDoor } from './key-door.js';
import type { KeyDoorOptions } from './key-door.js';
import { MNIST_BANDIT_DEFAULTS, MnistBandit } from './mnist-bandit.js';
import type { MnistBanditOptions } from './mnist-bandit.js';
import { MOBY_DICK_DEFAULTS, MobyDick } from './moby-dick.js';
import type { MobyDickOptions } from './moby-dick.js';
import { PERIODIC_SEQUENCE_DEFAULTS, PeriodicSequence } from './periodic-sequence.js';
import type { PeriodicSequenceOptions } from './periodic-sequence.js';
import { PERMUTATION_RECALL_DEFAULTS, PermutationRecall } from './permutation-recall.js';
import type { PermutationRecallOptions } from './permutation-recall.js';
import { REBER_DEFAULTS, ReberGrammar } from './reber-grammar.js';
import { REGIME_SWITCH_DEFAULTS, RegimeSwitch } from './regime-switch.js';
import type { RegimeSwitchOptions } from './regime-switch.js';
import { SINE_MIXTURE_DEFAULTS, SineMixture } from './sine-mixture.js';
import type { SineMixtureOptions } from './sine-mixture.js';
import { TEN_ARMED_TESTBED_DEFAULTS, TenArmedTestbed } from './ten-armed-testbed.js';
import type { TenArmedTestbedOptions } from './ten-armed-testbed.js';
import { TEMPORAL_ORDER_DEFAULTS, TemporalOrder } from './temporal-order.js';
import type { TemporalOrderOptions } from './temporal-order.js';

export * from './adding-problem.js';
export * from './cart-pole.js';
export * from './channel-dropout.js';
// Not registered: a user's data has no default file; the CLI opens .csv and .jsonl paths with it.
export * from './data-stream.js';
export { parseTable, readTable, tableFormatOf } from './datasets/table-file.js';
export type { Cell, Table, TableFormat } from './datasets/table-file.js';
export * from './embedded-reber-grammar.js';
export * from './injected-anomalies.js';
export * from './key-door.js';
export * from './mnist-bandit.js';
export * from './moby-dick.js';
export * from './periodic-sequence.js';
export * from './permutation-recall.js';
export * from './reber-grammar.js';
export * from './regime-switch.js';
export * from './sine-mixture.js';
export * from './temporal-order.js';
export * from './ten-armed-testbed.js';
export { SequenceEnvironment } from './sequence-environment.js';
export type { Emission } from './sequence-environment.js';

interface Builtin {
  readonly id: string;
  readonly description: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  // The registry merges and checks option keys; each constructor checks the values.
  readonly make: (options: Record<string, unknown>) => Environment;
}

const BUILTINS: readonly Builtin[] = [
  {
    id: 'SineMixture-v0',
    description: 'Sum of sines with per-episode random phases (multiple superimposed oscillators), box(1)',
    defaults: SINE_MIXTURE_DEFAULTS,
    make: (o) => new SineMixture(o as SineMixtureOptions),
  },
  {
    id: 'RegimeSwitch-v0',
    description:
      'Two channels circling at a period, direction and radius that switch at random times, with noise, box(2)',
    defaults: REGIME_SWITCH_DEFAULTS,
    make: (o) => new RegimeSwitch(o as RegimeSwitchOptions),
  },
  {
    id: 'ChannelDropout-v0',
    description:
      'Two channels of a circling point; the second ("partner") drops out for stretches, to be inferred, ' +
      'dict of box(1)',
    defaults: CHANNEL_DROPOUT_DEFAULTS,
    make: (o) => new ChannelDropout(o as ChannelDropoutOptions),
  },
  {
    id: 'InjectedAnomalies-v0',
    description:
      'Channels of sines and noise with injected spikes, level shifts, frequency changes and plateaus ' +
      '(info.anomaly), box(3)',
    defaults: INJECTED_ANOMALIES_DEFAULTS,
    make: (o) => new InjectedAnomalies(o as InjectedAnomaliesOptions),
  },
  {
    id: 'Reber-v0',
    description: 'Strings of the Reber grammar, B to E, one per episode, with info.legalNext',
    defaults: REBER_DEFAULTS,
    make: () => new ReberGrammar(),
  },
  {
    id: 'EmbeddedReber-v0',
    description: 'Embedded Reber grammar: the second symbol must be recalled before the final E (info.critical)',
    defaults: EMBEDDED_REBER_DEFAULTS,
    make: () => new EmbeddedReberGrammar(),
  },
  {
    id: 'TemporalOrder-v0',
    description: 'Hochreiter & Schmidhuber temporal order: classify the order of X/Y among distractors, label on E',
    defaults: TEMPORAL_ORDER_DEFAULTS,
    make: (o) => new TemporalOrder(o as TemporalOrderOptions),
  },
  {
    id: 'Adding-v0',
    description: 'Adding problem: label on the last step is the sum of the two marked values',
    defaults: ADDING_PROBLEM_DEFAULTS,
    make: (o) => new AddingProblem(o as AddingProblemOptions),
  },
  {
    id: 'PermutationRecall-v0',
    description: 'Martens & Sutskever random permutation: recall the first symbol (0 or 1) at the end',
    defaults: PERMUTATION_RECALL_DEFAULTS,
    make: (o) => new PermutationRecall(o as PermutationRecallOptions),
  },
  {
    id: 'MobyDick-v0',
    description: 'Character stream of Moby Dick on a 34-symbol alphabet, a window at a seeded offset per episode',
    defaults: MOBY_DICK_DEFAULTS,
    make: (o) => new MobyDick(o as MobyDickOptions),
  },
  {
    id: 'TenArmedTestbed-v0',
    description:
      "Sutton and Barto's 10-armed bandit testbed: arm values N(0, 1), rewards N(q*(a), 1); drift > 0 makes " +
      'the values random walks; actions discrete(10)',
    defaults: TEN_ARMED_TESTBED_DEFAULTS,
    make: (o) => new TenArmedTestbed(o as TenArmedTestbedOptions),
  },
  {
    id: 'CartPole-v1',
    description:
      "Gymnasium's cart-pole: balance a pole by pushing the cart left or right, reward 1 per step, ends past " +
      '12 degrees or 2.4 from the centre, 500 steps; box(4), actions discrete(2)',
    defaults: CART_POLE_DEFAULTS,
    make: (o) => new CartPole(o as CartPoleOptions),
  },
  {
    id: 'MnistBandit-v0',
    description:
      'Contextual bandit on the 10,000 MNIST digits: guess the label of the digit shown, reward 1 if right, ' +
      'every digit unseen within a pass; box(784), actions discrete(10)',
    defaults: MNIST_BANDIT_DEFAULTS,
    make: (o) => new MnistBandit(o as MnistBanditOptions),
  },
  {
    id: 'KeyDoor-v0',
    description:
      'Grid world with a delayed reward: fetch the key, then reach the door for 1; one-hot cell and a ' +
      'has-key flag, box(26) at the default 5x5; actions discrete(4)',
    defaults: KEY_DOOR_DEFAULTS,
    make: (o) => new KeyDoor(o as KeyDoorOptions),
  },
  {
    id: 'Periodic-v0',
    description: 'A fixed pattern of symbols repeated, the seed picks the starting offset, with info.legalNext',
    defaults: PERIODIC_SEQUENCE_DEFAULTS,
    make: (o) => new PeriodicSequence(o as PeriodicSequenceOptions),
  },
];

/** The ids this module registers, sorted. */
export const BUILTIN_ENVIRONMENT_IDS: readonly string[] = Object.freeze(BUILTINS.map((b) => b.id).sort());

for (const builtin of BUILTINS) {
  if (!hasEnvironment(builtin.id)) {
    registerEnvironment(builtin.id, (options = {}) => builtin.make(options), {
      description: builtin.description,
      defaults: builtin.defaults,
    });
  }
}
