// A predictive agent reading Moby Dick one character at a time (MobyDick-v0: lower case, 34
// symbols, a 500-character window at a seeded place in the book per episode). Before each
// character arrives the agent predicts it; the progress lines show how often its most likely
// character was right, and the log-loss of the probability it gave the actual one (nats per
// character; log 34 = 3.53 is a uniform guess). At the end it writes on its own: after a prompt,
// each character is the one it finds most likely, fed back to it as the next observation.
//
//   npx tsx examples/text-stream.ts [--steps 30000] [--seed 1] [--every 3000]
//                                   [--prompt "the whale "] [--sample 80]

import { parseArgs } from 'node:util';
import { lastValueFrom, tap } from 'rxjs';
import { argMax, initEngine, makeEnvironment, runAgent } from 'tprop';
import { PredictiveAgent } from 'tprop/agents';
import { MOBY_DICK_ALPHABET, decodeMobyDick, encodeMobyDickText } from 'tprop/environments';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '30000' },
    seed: { type: 'string', default: '1' },
    every: { type: 'string' },
    prompt: { type: 'string', default: 'the whale ' },
    sample: { type: 'string', default: '80' },
  },
});
const steps = Number(args.steps);
const seed = Number(args.seed);
const every = Math.min(Number(args.every ?? Math.max(1, Math.round(steps / 10))), steps);

await initEngine();
const env = makeEnvironment('MobyDick-v0');
// The defaults (README, Agent options): one gated layer of 64, window 8, a pass every step. 30,000
// steps, seeds 1 and 2: log-loss 2.180, 2.197 (window 16, a pass every 4 steps, step 1e-3: 2.193, 2.216).
const agent = new PredictiveAgent(env.observationSpace, { seed });

const sum = { accuracy: 0, logLoss: 0, count: 0 };
let last = { accuracy: NaN, logLoss: NaN };
let recent = ''; // the last characters read, to show what the stream looks like

console.log(`Moby Dick, ${steps} characters; ${MOBY_DICK_ALPHABET.length} symbols: "${MOBY_DICK_ALPHABET}"`);
console.log('    step  accuracy  log-loss  bits/char  recent text');
await lastValueFrom(
  runAgent({ agent, environment: env, steps, seed }).pipe(
    tap(({ transition, outcome }) => {
      recent = (recent + decodeMobyDick([transition.observation as number])).slice(-40);
      if (outcome.scores['next/accuracy'] !== undefined) {
        sum.accuracy += outcome.scores['next/accuracy'];
        sum.logLoss += outcome.scores['next/logLoss']!;
        sum.count++;
      }
      const step = transition.step + 1;
      if (step % every !== 0 && step !== steps) return;
      last = { accuracy: sum.accuracy / sum.count, logLoss: sum.logLoss / sum.count };
      const bits = (last.logLoss / Math.LN2).toFixed(2);
      console.log(
        `${String(step).padStart(8)}  ${last.accuracy.toFixed(3)}     ${last.logLoss.toFixed(3)}     ${bits}       ` +
          `"${recent}"`,
      );
      Object.assign(sum, { accuracy: 0, logLoss: 0, count: 0 });
    }),
  ),
);

// Writing on its own. `observe` also learns, so this comes after the measured run; save the
// state first (agent.getState()) and restore it after if the agent must go on unchanged.
const feed = (symbol: number, step: number, first: boolean): number => {
  agent.observe({
    step,
    episode: 0,
    observation: symbol,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
    first,
  });
  return argMax(agent.predict().find((p) => p.name === 'next')!.values);
};
const prompt = Array.from(encodeMobyDickText(args.prompt));
let guess = 0;
prompt.forEach((symbol, i) => (guess = feed(symbol, steps + i, i === 0)));
const written: number[] = [];
for (let i = 0; i < Number(args.sample); i++) {
  written.push(guess);
  guess = feed(guess, steps + prompt.length + i, false);
}
agent.dispose();

console.log(`sample (greedy, after the prompt "${decodeMobyDick(prompt)}"): "${decodeMobyDick(written)}"`);
console.log(
  `result: next/accuracy ${last.accuracy.toFixed(3)} next/logLoss ${last.logLoss.toFixed(3)} nats ` +
    `(${(last.logLoss / Math.LN2).toFixed(2)} bits/char) over the last ${every} characters`,
);
