// Generative bench: what the stack does as a generative model, each part on 3 seeds.
//   digits:     MNIST image and label as two modalities (generative-mnist.ts): the label from
//               the image by MAP beside the readout; images from labels by MAP and MCMC, read by
//               a backprop classifier trained apart; distance of samples to the nearest training
//               image beside test images'; a Parzen log-likelihood (see its caveat); ancestral
//               samples from each prior over top codes.
//   unlabelled: 1,000 labelled training digits and 7,000 without: the top targets of unlabelled
//               rows (none, pseudo-label, density, and each prior's step), each given the same
//               five weights (0.01 to 1) on held-out training rows of seed 1, then 3 seeds on the test set.
//   dreams:     Reber and embedded Reber: share of dreamed strings (prompt B) that are
//               grammatical, at temperatures 1 and 0.5; in the embedded grammar the share that
//               repeat their opening T or P before the final E.
//   sine:       SineMixture-v0: 20-step dreams (temperature 0) from the current state, every 97
//               steps of the second half, against the true continuation, beside repeat-last's.
//   channels:   ChannelDropout-v0: the missing partner channel, inferred (MAP, and one MCMC sample
//               with the top auto-encoder trained) from the other's history at every dropped
//               step of the second half, before the step is learned, beside its running mean.
//   npm run bench -- generative [--seeds 1,2,3] [--epochs 5] [--parts digits,...,channels] [--walkback K] [--json]

import { parseArgs } from 'node:util';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { acceptsEmbeddedReber } from '../../environments/embedded-reber-grammar.js';
import '../../environments/index.js';
import { acceptsReber, reberString } from '../../environments/reber-grammar.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { initEngine } from '../../src/math/index.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { writeDigitSheet } from './digit-sheet.js';
import { type DigitsResult, UNLABELLED_TARGETS, digitsGenerative, semiSupervised } from './generative-mnist.js';
import { finish, meanRange, printTable, progress, type Row } from './report.js';

const PARTS = ['digits', 'unlabelled', 'dreams', 'sine', 'channels'] as const;
const B = 0;
const E = 6;

function dreams(id: 'Reber-v0' | 'EmbeddedReber-v0', steps: number, seed: number) {
  const env = makeEnvironment(id);
  const agent = new PredictiveAgent(env.observationSpace, { seed });
  for (const t of environmentTransitions(env, { seed, steps })) agent.observe(t);
  const embedded = id === 'EmbeddedReber-v0';
  const out: Record<string, number | string[]> = {};
  for (const temperature of [1, 0.5]) {
    let grammatical = 0;
    let repeats = 0;
    const examples: string[] = [];
    const n = 200;
    for (let i = 0; i < n; i++) {
      const symbols = [
        B,
        ...(agent.dream({ steps: 40, temperature, seed: seed * 1000 + i, prompt: [B] }).values as number[]),
      ];
      // A string ends at its first E, or, embedded, at the E after the inner string's.
      let end = symbols.indexOf(E);
      if (embedded && end >= 0) end = symbols.indexOf(E, end + 1);
      const string = end < 0 ? symbols : symbols.slice(0, end + 1);
      if ((embedded ? acceptsEmbeddedReber : acceptsReber)(string)) grammatical++;
      if (embedded && string.length > 3 && string[1] === string[string.length - 2]) repeats++;
      if (i < 8) examples.push(reberString(string));
    }
    out[`grammatical@${temperature}`] = grammatical / n;
    if (embedded) out[`repeats@${temperature}`] = repeats / n;
    out[`examples@${temperature}`] = examples;
  }
  agent.dispose();
  return out;
}

function sineDreams(steps: number, seed: number): { dream: number; repeat: number } {
  const H = 20;
  const env = makeEnvironment('SineMixture-v0');
  const agent = new PredictiveAgent(env.observationSpace, { seed });
  let dream = 0;
  let repeat = 0;
  let pending: { values: Float32Array[]; last: number; truth: number[] } | null = null;
  let t = 0;
  for (const tr of environmentTransitions(env, { seed, steps })) {
    const x = (tr.observation as Float32Array)[0]!;
    if (pending && tr.first) pending = null;
    if (pending) {
      pending.truth.push(x);
      if (pending.truth.length === H) {
        for (let k = 0; k < H; k++) {
          dream += (pending.values[k]![0]! - pending.truth[k]!) ** 2;
          repeat += (pending.last - pending.truth[k]!) ** 2;
        }
        pending = null;
      }
    }
    agent.observe(tr);
    t++;
    if (t > steps / 2 && t % 97 === 0 && !pending && !tr.terminated && !tr.truncated) {
      const values = agent.dream({ steps: H, temperature: 0 }).values as Float32Array[];
      pending = { values, last: x, truth: [] };
    }
  }
  agent.dispose();
  return { dream, repeat };
}

/** Squared errors summed over the dropped steps of the second half: inferred and the running mean's. */
function channelDropout(steps: number, seed: number, method: 'map' | 'mcmc', trainAutoEncoder: boolean) {
  const env = makeEnvironment('ChannelDropout-v0');
  const agent = new PredictiveAgent(env.observationSpace, { seed, top: { trainAutoEncoder } });
  let inferred = 0;
  let mean = 0;
  let meanError = 0;
  let present = 0;
  let t = 0;
  for (const tr of environmentTransitions(env, { seed, steps })) {
    const obs = tr.observation as Record<string, Float32Array>;
    const truth = tr.info.partner as number;
    if (t > steps / 2 && obs.partner === undefined) {
      const guess = agent.infer({ observation: obs.observation! }, { method, samples: 1, seed: t }).samples[0]!;
      inferred += (guess.partner![0]! - truth) ** 2;
      meanError += (mean - truth) ** 2;
    }
    if (obs.partner !== undefined) mean += (obs.partner[0]! - mean) / ++present;
    agent.observe(tr);
    t++;
  }
  agent.dispose();
  return { inferred, mean: meanError, ratio: meanError / inferred };
}

export async function generativeBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      epochs: { type: 'string', default: '5' },
      parts: { type: 'string', default: PARTS.join(',') },
      walkback: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  const epochs = Number(values.epochs);
  const parts = values.parts.split(',');
  await initEngine({ report: progress });
  const payload: Record<string, unknown> = { seeds, epochs };
  if (parts.includes('digits')) {
    const results: DigitsResult[] = [];
    for (const seed of seeds) {
      const r = digitsGenerative(seed, epochs, Number(values.walkback));
      results.push(r);
      progress(
        `generative: digits seed ${seed}: MAP label ${r.mapLabel}, image MAP ${r.imageMap}, MCMC ${r.imageMcmc}`,
      );
      if (seed === seeds[0]) writeDigitSheet('bench-results/generative-digits.png', r.sheet);
    }
    const of = (f: (r: DigitsResult) => number): number[] => results.map(f);
    const rows: Row[] = [
      { figure: 'label from image: readout (discriminant)', value: meanRange(of((r) => r.readout)) },
      { figure: 'label from image: MAP through the top AE', value: meanRange(of((r) => r.mapLabel)) },
      { figure: 'judge (backprop 784-240) on test digits', value: meanRange(of((r) => r.judge)) },
      { figure: 'image from label, MAP: judged as the label', value: meanRange(of((r) => r.imageMap)) },
      { figure: 'image from label, MCMC: judged as the label', value: meanRange(of((r) => r.imageMcmc)) },
      { figure: 'MCMC samples: distance to nearest training', value: meanRange(of((r) => r.nearestSample)) },
      { figure: 'test digits: distance to nearest training', value: meanRange(of((r) => r.nearestTest)) },
      { figure: 'Parzen log-likelihood of test digits (nats)', value: meanRange(of((r) => r.parzen)) },
      ...(['gaussian', 'factorial', 'parzen', 'nearest-neighbour'] as const).map((k) => ({
        figure: `ancestral, ${k} prior: judged sure (p >= 0.9)`,
        value: meanRange(of((r) => r.priors[k])),
      })),
    ];
    const setting = `${epochs} epochs, walkback ${values.walkback}, seeds ${seeds.join(',')}`;
    const title = `Digits (MNIST 8k/2k, 784-240-240, ${setting})`;
    printTable(title, rows, ['figure', 'value']);
    payload.digits = results.map(({ sheet: _, ...r }) => r);
  }
  if (parts.includes('unlabelled')) {
    const weights = [0.01, 0.03, 0.1, 0.3, 1];
    const chosen: Record<string, number> = {};
    const rows: Row[] = [];
    for (const target of UNLABELLED_TARGETS) {
      let best = 0;
      let bestScore = -1;
      for (const w of target === 'none' ? [0] : weights) {
        const score = semiSupervised(seeds[0]!, epochs, 1000, target, w, true);
        progress(`generative: unlabelled ${target} weight ${w}: validation ${score}`);
        if (score > bestScore) [best, bestScore] = [w, score];
      }
      chosen[target] = best;
      const test = seeds.map((seed) => semiSupervised(seed, epochs, 1000, target, best, false));
      rows.push({ target, weight: best, validation: bestScore, test: meanRange(test), seeds: test });
    }
    printTable('Unlabelled rows (1,000 labelled of 8,000; test accuracy)', rows, [
      'target',
      'weight',
      'validation',
      'test',
    ]);
    payload.unlabelled = rows;
  }
  if (parts.includes('dreams')) {
    const rows: Row[] = [];
    for (const [id, steps] of [
      ['Reber-v0', 20_000],
      ['EmbeddedReber-v0', 30_000],
    ] as const) {
      const runs = seeds.map((seed) => dreams(id, steps, seed));
      const row: Row = { task: id, steps };
      for (const key of ['grammatical@1', 'grammatical@0.5', 'repeats@1', 'repeats@0.5'])
        if (key in runs[0]!) row[key] = meanRange(runs.map((r) => r[key] as number));
      rows.push(row);
      payload[`dreams:${id}`] = runs;
      progress(`generative: ${id} dreams: ${(runs[0]!['examples@1'] as string[]).join(' ')}`);
    }
    printTable('Dreams (prompt B, 200 per seed)', rows, [
      'task',
      'steps',
      'grammatical@1',
      'grammatical@0.5',
      'repeats@1',
      'repeats@0.5',
    ]);
  }
  if (parts.includes('sine')) {
    const runs = seeds.map((seed) => sineDreams(20_000, seed));
    const rows: Row[] = [
      {
        task: 'SineMixture-v0, 20 steps',
        'dream MSE / repeat-last MSE': meanRange(runs.map((r) => r.dream / r.repeat)),
        seeds: runs.map((r) => r.dream / r.repeat),
      },
    ];
    printTable('Dreamed continuations (temperature 0, 20k steps)', rows, ['task', 'dream MSE / repeat-last MSE']);
    payload.sine = runs;
  }
  if (parts.includes('channels')) {
    const rows: Row[] = [];
    for (const [label, method, ae] of [
      ['MAP, discriminant top (readout)', 'map', false],
      ['MAP, top auto-encoder trained', 'map', true],
      ['MCMC (1 sample), top auto-encoder trained', 'mcmc', true],
    ] as const) {
      const runs = seeds.map((seed) => channelDropout(20_000, seed, method, ae));
      rows.push({ method: label, 'running-mean MSE / inferred MSE': meanRange(runs.map((r) => r.ratio)) });
      payload[`channels:${method}:${ae}`] = runs;
    }
    printTable('Missing channel (ChannelDropout-v0, 20k steps, dropped steps of the second half)', rows, [
      'method',
      'running-mean MSE / inferred MSE',
    ]);
  }
  finish('generative', payload, values.json);
}
