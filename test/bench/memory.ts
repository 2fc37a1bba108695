// Memory bench: a long online run of the predictive agent (learning the embedded Reber grammar),
// sampling the live tfjs tensors, the JS heap after a garbage collection, and the kernels' wasm
// memory (allocated and reserved) every so often. Flat columns are the claim.
//   npm run bench -- memory [--steps 200000] [--engine fused|tfjs] [--agent stack|default] [--json]
// (--agent default: the predictive agent's defaults, one update per step, rather than the 64-32 stack.)
// (The bench re-runs itself with --expose-gc so the heap figures are after a full collection.)

import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { initEngine, tfjsEngine } from '../../src/math/index.js';
import { kernelHeap } from '../../src/math/wasm-kernels.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { finish, printTable, progress, type Row } from './report.js';

export async function memoryBench(argv: string[]): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', new URL('./index.ts', import.meta.url).pathname, 'memory', ...argv],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`memory bench: the child run exited with ${child.status}`);
    return;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: 'string', default: '200000' },
      engine: { type: 'string', default: 'fused' },
      agent: { type: 'string', default: 'stack' },
      json: { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const engine = values.engine as 'fused' | 'tfjs';
  const backend = await initEngine({ report: progress });
  const env = makeEnvironment('EmbeddedReber-v0');
  if (values.agent !== 'stack' && values.agent !== 'default')
    throw new Error(`memory bench: expected --agent stack or default, but got "${values.agent}"`);
  const stack = values.agent === 'stack';
  const agent = new PredictiveAgent(
    env.observationSpace,
    stack
      ? { layers: [64, 32], window: 16, updateEvery: 4, engine, seed: 1, top: { trainAutoEncoder: true } }
      : { engine, seed: 1 },
  );
  const rows: Row[] = [];
  const sample = (step: number, started: number): void => {
    gc();
    rows.push({
      step,
      tensors: tfjsEngine.live(),
      heapMB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
      wasmAllocatedKB: kernelHeap ? Math.round(kernelHeap.used / 1024) : null,
      wasmReservedMB: kernelHeap ? kernelHeap.memory.buffer.byteLength / 2 ** 20 : null,
      stepsPerSecond: step === 0 ? null : Math.round(step / ((performance.now() - started) / 1000)),
      critical: agent.metrics()['next/critical'] ?? null,
    });
    progress(`step ${step}: ${JSON.stringify(rows[rows.length - 1])}`);
  };
  const every = Math.max(1, Math.floor(steps / 10));
  const started = performance.now();
  let step = 0;
  sample(0, started);
  for (const t of environmentTransitions(env, { steps, seed: 1 })) {
    agent.observe(t);
    if (++step % every === 0) {
      agent.snapshot();
      sample(step, started);
    }
  }
  agent.dispose();
  printTable(
    `Memory over ${steps} online steps (predictive agent, ${stack ? 'layers 64-32' : 'its defaults'}, ` +
      `engine ${engine}, backend ${backend})`,
    rows,
    ['step', 'tensors', 'heapMB', 'wasmAllocatedKB', 'wasmReservedMB', 'stepsPerSecond', 'critical'],
  );
  finish(
    `memory-${engine}${stack ? '' : '-default'}`,
    { backend, engine, agent: values.agent, steps, rows },
    values.json,
  );
}
