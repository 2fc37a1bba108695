// A user's plain ES-module script against the installed package (check-package.sh runs it from a
// fresh project): the four entry points, 500 steps of Reber-v0, one metric on the last line.

import { initEngine, makeEnvironment, runAgent } from 'tprop';
import { PredictiveAgent } from 'tprop/agents';
import { REBER_SYMBOLS } from 'tprop/environments';
import { SUBJECTS, connectNats } from 'tprop/cluster';

// The NATS bridge loads from plain node too (no server is needed to import it, nor to fail to reach one).
if (SUBJECTS.observations('demo', 0) !== 'tprop.obs.demo.0') throw new Error('tprop/cluster: unexpected subject');
const refused = await connectNats({ url: 'nats://127.0.0.1:1', timeoutMs: 1000 }).catch((error) => error);
if (refused?.code !== 'ERR_NATS_CONNECT') throw new Error(`tprop/cluster: expected ERR_NATS_CONNECT, got ${refused}`);

await initEngine();
const environment = makeEnvironment('Reber-v0');
const agent = new PredictiveAgent(environment.observationSpace, { layers: [32], window: 8, seed: 1 });
let steps = 0;
// Observable#forEach resolves when the run completes: no rxjs import, no promise by hand.
await runAgent({ agent, environment, steps: 500, seed: 1 }).forEach(() => steps++);
const legal = agent.totals()['next/legal'];
agent.dispose();
console.log(`consumer: ${steps} steps of ${REBER_SYMBOLS.length} symbols, next/legal ${legal.toFixed(3)}`);
