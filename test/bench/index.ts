// `npm run bench -- <name> [flags]`: runs one bench (or `all`), prints a table, writes JSON.

import { actingBench } from './acting.js';
import { anomalyBench } from './anomaly.js';
import { clusterBench } from './cluster.js';
import { generativeBench } from './generative.js';
import { mnistBench } from './mnist.js';
import { sequencesBench } from './sequences.js';
import { throughputBench } from './throughput.js';
import { memoryBench } from './memory.js';

const BENCHES: Record<string, (argv: string[]) => Promise<void>> = {
  acting: actingBench,
  anomaly: anomalyBench,
  cluster: clusterBench,
  generative: generativeBench,
  mnist: mnistBench,
  sequences: sequencesBench,
  throughput: throughputBench,
  memory: memoryBench,
};

const [name = 'all', ...rest] = process.argv.slice(2);
const chosen = name === 'all' ? Object.keys(BENCHES) : [name];
for (const bench of chosen) {
  const run = BENCHES[bench];
  if (!run) {
    console.error(`bench: expected one of ${Object.keys(BENCHES).join(', ')} or all, but got "${bench}"`);
    process.exit(2);
  }
  await run(rest);
}
