// A predictive agent learning the Reber grammar online, one symbol at a time (Reber-v0), or the
// embedded Reber grammar (EmbeddedReber-v0, --embedded): B, T or P, a whole Reber string, the
// same T or P again, E. Before each symbol arrives the agent predicts it; the grammar usually
// allows two symbols, so the score that matters is "legal": was the predicted symbol one the
// grammar allows? In the embedded grammar, one symbol per string (the repeated T or P) can only
// be predicted by remembering the second symbol across the whole inner string: "critical" is
// the accuracy on exactly those symbols (0.5 is chance, 1 means the dependency is learned).
//
//   npx tsx examples/reber-grammar.ts [--embedded] [--steps N] [--seed 1] [--every N]
//   (defaults: 5,000 steps for Reber, 30,000 for the embedded grammar; every = steps / 10)

import { parseArgs } from 'node:util';
import { lastValueFrom, tap } from 'rxjs';
import { initEngine, makeEnvironment, runAgent } from 'tprop';
import { PredictiveAgent } from 'tprop/agents';
import 'tprop/environments';

const { values: args } = parseArgs({
  options: {
    embedded: { type: 'boolean', default: false },
    steps: { type: 'string' },
    seed: { type: 'string', default: '1' },
    every: { type: 'string' },
  },
});
const embedded = args.embedded;
const steps = Number(args.steps ?? (embedded ? 30_000 : 5_000));
const seed = Number(args.seed);
const every = Math.min(Number(args.every ?? Math.max(1, Math.round(steps / 10))), steps);

await initEngine();
const env = makeEnvironment(embedded ? 'EmbeddedReber-v0' : 'Reber-v0');
// The defaults (README, Agent options): one gated layer of 64, window 8, a pass every step. Embedded,
// 30,000 steps, seeds 1 and 2: critical 0.984, 1.000 (window 16, a pass every 4 steps: 0.948, 0.977).
const agent = new PredictiveAgent(env.observationSpace, { seed });

// Per-step scores summed since the last progress line (critical steps are rare: ~1 in 12).
const names = ['next/legal', 'next/accuracy', 'next/critical'] as const;
const sums = new Map<string, { sum: number; count: number }>(names.map((n) => [n, { sum: 0, count: 0 }]));
const mean = (name: string): number => sums.get(name)!.sum / sums.get(name)!.count;
const show = (x: number): string => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
let last: Record<string, number> = {};
let episodes = 0;

console.log(
  `${embedded ? 'Embedded Reber' : 'Reber'} grammar, ${steps} steps; rates over the steps since the previous line`,
);
console.log(`    step  strings  legal  accuracy  critical${embedded ? ' (n)' : ''}`);
await lastValueFrom(
  runAgent({ agent, environment: env, steps, seed }).pipe(
    tap(({ transition, outcome }) => {
      for (const name of names) {
        const score = outcome.scores[name];
        if (score === undefined) continue;
        sums.get(name)!.sum += score;
        sums.get(name)!.count++;
      }
      if (transition.terminated) episodes++;
      const step = transition.step + 1;
      if (step % every !== 0 && step !== steps) return;
      last = Object.fromEntries(names.map((n) => [n, mean(n)]));
      const critical = embedded ? `${show(last['next/critical']!)} (${sums.get('next/critical')!.count})` : '  n/a';
      console.log(
        `${String(step).padStart(8)}  ${String(episodes).padStart(7)}  ${show(last['next/legal']!)}  ` +
          `${show(last['next/accuracy']!)}     ${critical}`,
      );
      for (const s of sums.values()) Object.assign(s, { sum: 0, count: 0 });
    }),
  ),
);

const totals = agent.totals();
agent.dispose();
const criticalOverall = embedded ? `, critical ${show(totals['next/critical'] ?? NaN)}` : '';
const overall = `legal ${show(totals['next/legal']!)}${criticalOverall}`;
console.log(
  `result: ${embedded ? 'EmbeddedReber-v0' : 'Reber-v0'} legal ${show(last['next/legal']!)} accuracy ` +
    `${show(last['next/accuracy']!)}` +
    (embedded ? ` critical ${show(last['next/critical']!)}` : '') +
    ` over the last ${every} steps (over all ${steps}: ${overall})`,
);
