// A TypeScript user of the installed package, type-checked (strict, NodeNext) against the shipped
// .d.ts only: check-package.sh runs `tsc --noEmit` on it in a fresh project. The @ts-expect-error
// lines prove the types are real: were anything `any`, the unused directive would fail.

import {
  type Agent,
  type BackendName,
  type MetricsSample,
  StateError,
  box,
  initEngine,
  makeEnvironment,
  runAgent,
  sampleMetrics,
} from 'tprop';
import { PredictiveAgent, type PredictiveAgentOptions } from 'tprop/agents';
import { REBER_SYMBOLS, ReberGrammar } from 'tprop/environments';
import { PROTOCOL_VERSION, type ViewerOptions, startViewer } from 'tprop/server';
import { type AgentNodeOptions, type NatsError, SUBJECTS, connectNats } from 'tprop/cluster';
import { ShardedRun, type ShardedRunDescription, type ShardedRunResult, WorkerError } from 'tprop/workers';
import createCounter from './environment.js';

export async function learnReber(steps: number): Promise<MetricsSample[]> {
  const backend: BackendName = await initEngine({ quiet: true });
  const environment = makeEnvironment('Reber-v0');
  const options: PredictiveAgentOptions = { layers: [32], window: 8, seed: 1 };
  const agent: Agent = new PredictiveAgent(environment.observationSpace, options);
  const samples: MetricsSample[] = [];
  await runAgent({ agent, environment, steps })
    .pipe(sampleMetrics(agent, 100))
    .forEach((s) => samples.push(s));
  agent.dispose();
  const symbol: string = REBER_SYMBOLS[0];
  console.log(backend, symbol, samples.at(-1)?.metrics['next/legal']);
  return samples;
}

export const counter = createCounter({ size: 3 });
export const grammar: typeof ReberGrammar = ReberGrammar;
export const space = box(2);
export const viewer: typeof startViewer = startViewer;
export const protocol: number = PROTOCOL_VERSION;
export const viewerOptions: ViewerOptions = {};
export const misuse = new StateError('ERR_RESET_NEEDED', 'a message');
export const connect: typeof connectNats = connectNats;
export const subject: string = SUBJECTS.observations('demo', 0);
export const natsCode = (error: NatsError): string => error.code;
export const share: AgentNodeOptions['streams'] = { index: 0, count: 2 };
export const sharded: ShardedRunDescription = { environment: { id: 'Reber-v0' }, streams: 4, workers: 2, steps: 10 };
export const shardedRun: (d: ShardedRunDescription) => Promise<ShardedRunResult> = (d) =>
  new ShardedRun(d).start().done;
export const workerFault: typeof WorkerError = WorkerError;

// @ts-expect-error steps is a number
runAgent({ agent: new PredictiveAgent(box(1)), environment: counter, steps: 'many' });
// @ts-expect-error no such backend
void initEngine({ backend: 'gpu' });
// @ts-expect-error a stream is a number
void SUBJECTS.observations('demo', '0');
// @ts-expect-error an agent needs a space
void new PredictiveAgent();
// @ts-expect-error a sharded run needs its streams and workers
void new ShardedRun({ environment: { id: 'Reber-v0' } });
