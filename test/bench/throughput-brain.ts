// Throughput bench, the brain.js part: symbols learned per second on the same Reber strings (the
// Reber-v0 environment, seed 1), each symbol learned once, by brain.js 1.6.1's LSTM trained as it
// is normally used (one `train([string], { iterations: 1 })` call per string, only those calls
// timed) and by tprop's PredictiveAgent through runAgent (the whole loop: predict, score, learn;
// S = 1 unless given), the two in turn, repeated; each figure is the median of its repetitions.

import { createRequire } from 'node:module';
import { lastValueFrom } from 'rxjs';
import { PredictiveAgent, type PredictiveAgentOptions } from '../../agents/predictive-agent.js';
import { REBER_SYMBOLS } from '../../environments/reber-grammar.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { runAgent } from '../../src/stream/run-agent.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { countEngineCalls, engineCounts, resetEngineCounts } from '../../src/math/index.js';

const require = createRequire(import.meta.url);

interface BrainLstm {
  train(data: string[], options: { iterations: number; errorThresh: number; log: boolean }): unknown;
}
interface BrainModule {
  recurrent: { LSTM: new (options: Record<string, unknown>) => BrainLstm };
}

/** brain.js, loaded only when this part runs (a dev dependency). */
function brain(): { brain: BrainModule; formatter: (values: string[]) => unknown } {
  const module = require('brain.js') as BrainModule;
  const DataFormatter = (require('brain.js/dist/utilities/data-formatter') as { default: new (v: string[]) => unknown })
    .default;
  return { brain: module, formatter: (values) => new DataFormatter(values) };
}

/** The first Reber strings of seed 1 holding at least `symbols` symbols in all, as text. */
export function reberStrings(symbols: number): string[] {
  const strings: string[] = [];
  let total = 0;
  let current = '';
  for (const t of environmentTransitions(makeEnvironment('Reber-v0'), { seed: 1 })) {
    current += REBER_SYMBOLS[t.observation as number]!;
    if (!(t.terminated || t.truncated)) continue;
    strings.push(current);
    total += current.length;
    current = '';
    if (total >= symbols) break;
  }
  return strings;
}

/** brain.js's LSTM: symbols per second of its train calls over `strings`. */
export function brainRate(strings: readonly string[], hidden: number): number {
  const { brain: b, formatter } = brain();
  const net = new b.recurrent.LSTM({ hiddenLayers: [hidden], dataFormatter: formatter([REBER_SYMBOLS.join('')]) });
  let seconds = 0;
  let symbols = 0;
  for (const s of strings) {
    const t0 = performance.now();
    net.train([s], { iterations: 1, errorThresh: 0, log: false });
    seconds += (performance.now() - t0) / 1000;
    symbols += s.length;
  }
  return symbols / seconds;
}

/** tprop's PredictiveAgent through runAgent over the same strings' symbols: symbols per second of the loop. */
export async function tpropRate(
  symbols: number,
  hidden: number,
  options: PredictiveAgentOptions = {},
): Promise<number> {
  const env = makeEnvironment('Reber-v0');
  const agent = new PredictiveAgent(env.observationSpace, { layers: [hidden], seed: 1, ...options });
  const t0 = performance.now();
  await lastValueFrom(runAgent({ agent, environment: env, steps: symbols, seed: 1 }));
  const seconds = (performance.now() - t0) / 1000;
  agent.dispose();
  env.close?.();
  return symbols / seconds;
}

/** The agent's steady-state step, counted (engine-counter.ts): engine calls, matrices made, KB. */
export function stepCounts(hidden: number): { calls: number; matrices: number; kilobytes: number } {
  countEngineCalls(true);
  try {
    const env = makeEnvironment('Reber-v0');
    const agent = new PredictiveAgent(env.observationSpace, { layers: [hidden], seed: 1 });
    const transitions = [...environmentTransitions(env, { seed: 1, steps: 600 })];
    for (const t of transitions.slice(0, 500)) agent.observe(t);
    resetEngineCounts();
    for (const t of transitions.slice(500)) agent.observe(t);
    const c = engineCounts();
    agent.dispose();
    return { calls: c.calls / 100, matrices: c.matrices / 100, kilobytes: c.bytes / 100 / 1024 };
  } finally {
    countEngineCalls(false);
  }
}
