// An environment with a label, complete: a dict observation space whose `observation` key is the
// symbol the agent reads and whose optional `label` key is a side modality, present on the last
// step of each episode only. Each episode is B, a cue (X or Y), --gap distractors (a, b, c), the
// cue again, then E with the label (0 for X, 1 for Y). `info.legalNext` lists the symbols that may
// follow each one (scored as next/legal); `info.critical` marks the step before the repeated cue,
// which only a memory of the cue can predict (scored as next/critical, chance 0.5). The environment
// passes checkEnvironment; a predictive agent learns it, predicting the next symbol and the label.
// The module exports the factory too, so the CLI runs the same file; importing it runs nothing.
//
//   npx tsx examples/labelled-environment.ts [--steps 3000] [--seed 1] [--gap 3]
//   npx tprop run examples/labelled-environment.ts

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { lastValueFrom, tap } from 'rxjs';
import { Rng, StateError, checkEnvironment, dict, discrete, initEngine, runAgent, sampleMetrics } from 'tprop';
import type { Environment, Info, ResetOptions, ResetResult, StepResult } from 'tprop';
import { PredictiveAgent } from 'tprop/agents';

export const ECHO_SYMBOLS = 'BEXYabc'; // B = 0, E = 1, X = 2, Y = 3, distractors 4 to 6
export const ECHO_DEFAULTS = { gap: 3 }; // distractors between the cue and its repetition
export type EchoObservation = { observation: number; label?: number };

export class Echo implements Environment<EchoObservation> {
  readonly observationSpace = dict({ observation: discrete(7), label: discrete(2) }, ['label']);
  readonly actionSpace = null;
  private rng = new Rng(0);
  private symbols: number[] = []; // this episode, B to E
  private t = -1; // index in the episode; -1 until the first reset

  constructor(readonly options: typeof ECHO_DEFAULTS) {}

  reset({ seed }: ResetOptions = {}): ResetResult<EchoObservation> {
    if (seed !== undefined) this.rng = new Rng(seed);
    const cue = 2 + this.rng.int(2);
    const gap = Array.from({ length: this.options.gap }, () => 4 + this.rng.int(3));
    this.symbols = [0, cue, ...gap, cue, 1];
    this.t = 0;
    return { observation: { observation: 0 }, info: { legalNext: [2, 3] } };
  }

  step(): StepResult<EchoObservation> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', 'Echo.step: expected reset() first');
    const end = this.symbols.length - 1;
    if (this.t === end) throw new StateError('ERR_EPISODE_ENDED', 'Echo.step: expected reset() after the end');
    const observation: EchoObservation = { observation: this.symbols[++this.t]! };
    if (this.t === end) observation.label = this.symbols[1]! - 2; // the label: on the last step only
    return { observation, reward: 0, terminated: this.t === end, truncated: false, info: this.info() };
  }

  /** What may follow the current symbol; `critical` where only a memory of the cue can tell. */
  private info(): Info {
    const next = this.t + 1;
    const end = this.symbols.length - 1;
    if (next > end) return { legalNext: [] };
    if (next === end) return { legalNext: [1] };
    if (next === end - 1) return { legalNext: [this.symbols[1]!], critical: true };
    return { legalNext: [4, 5, 6] };
  }
}

export function createEnvironment(options: Partial<typeof ECHO_DEFAULTS> = {}): Echo {
  return new Echo({ ...ECHO_DEFAULTS, ...options });
}
export default createEnvironment;

// The demo, only when this file is the one being run.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: args } = parseArgs({
    options: {
      steps: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      gap: { type: 'string', default: '3' },
    },
  });
  const steps = Number(args.steps);
  const seed = Number(args.seed);
  const factory = (): Echo => createEnvironment({ gap: Number(args.gap) });

  const report = checkEnvironment(factory, { seed });
  console.log(`checkEnvironment: passed (runs of ${report.steps} steps, ${report.episodes} episodes in each)`);

  await initEngine();
  const env = factory();
  const episode = Number(args.gap) + 4; // observations per episode
  const every = Math.max(episode, Math.round(steps / 10));
  // The stack reads `observation`; `label` becomes a side modality; rolling means over 100 values.
  // The default learner: one gated layer of 64, a window of 8 steps (an episode: 7 at the default gap).
  const agent = new PredictiveAgent(env.observationSpace, { metricWindow: 100, seed });
  const show = (x: number | undefined): string => (x === undefined ? '  -  ' : x.toFixed(3));
  console.log('    step  next/legal  next/critical  label/accuracy  (rolling means over the last 100 scores)');
  const final = await lastValueFrom(
    runAgent({ agent, environment: env, steps, seed }).pipe(
      sampleMetrics(agent, every),
      tap(({ step, metrics: m }) =>
        console.log(
          `${String(step + 1).padStart(8)}  ${show(m['next/legal']).padStart(10)}  ` +
            `${show(m['next/critical']).padStart(13)}  ${show(m['label/accuracy']).padStart(14)}`,
        ),
      ),
    ),
    { defaultValue: { step: 0, metrics: {} as Record<string, number> } },
  );
  agent.dispose();
  const m = final.metrics;
  console.log(
    `result: next/legal ${show(m['next/legal'])} next/critical ${show(m['next/critical'])} label/accuracy ` +
      `${show(m['label/accuracy'])} (last 100 scores each; chance: critical 0.5, label 0.5)`,
  );
}
