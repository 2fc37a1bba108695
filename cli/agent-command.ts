// `tprop agent --nats URL --run NAME`: an agent process learning its share of a run's observation
// streams from NATS JetStream, checkpointing to its key-value bucket, until Ctrl-C (which saves).

import { initEngine } from 'tprop';
import { AgentNode, connectNats, type NatsLink } from 'tprop/cluster';
import { agentConfig } from './agent-source.js';
import { EXIT } from './cli-error.js';
import { Interrupts } from './interrupts.js';
import type { AgentCommandOptions } from './nats-options.js';

const notice = (line: string): void => void process.stderr.write(`${line}\n`);

/** Each metric's mean over the streams that have it (the streams' agents learn alike). */
export function meanMetrics(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sums = new Map<string, [number, number]>();
  for (const metrics of all)
    for (const [name, v] of Object.entries(metrics)) {
      const s = sums.get(name) ?? [0, 0];
      sums.set(name, [s[0] + v, s[1] + 1]);
    }
  return Object.fromEntries([...sums].map(([name, [sum, n]]) => [name, sum / n]));
}

export async function agentCommand(options: AgentCommandOptions): Promise<number> {
  const interrupts = new Interrupts();
  let link: NatsLink | undefined;
  let node: AgentNode | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const config = agentConfig({ agent: options.agent, config: options.config, seed: options.seed });
    await initEngine();
    link = await connectNats({ url: options.nats, name: `tprop agent ${options.run}`, log: notice });
    node = await AgentNode.start({
      link,
      run: options.run,
      config,
      streams: options.streams,
      ...(options.checkpointEvery !== undefined && { checkpointEvery: options.checkpointEvery }),
      ...(options.frameMs !== undefined && { frameIntervalMs: options.frameMs }),
      predictions: options.predictions,
      ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
      ...(options.ackWaitMs !== undefined && { ackWaitMs: options.ackWaitMs }),
      log: notice,
    });
    const names = node.learners.map((l) => l.name);
    const which =
      options.streams === 'auto' ? `an even share by leases (now ${names.join(', ') || 'none'})` : names.join(', ');
    notice(`tprop agent: learning run "${options.run}" as ${which} on ${options.nats}`);
    const learning = node;
    const report = (done: boolean) => {
      const { streams, ...totals } = learning.stats();
      const stepsPerSecond = streams.reduce((a, s) => a + s.stepsPerSecond, 0);
      const { rss, heapUsed } = process.memoryUsage();
      const memory = { rssMB: Math.round(rss / 2 ** 20), heapMB: Math.round(heapUsed / 2 ** 20) };
      const metrics = meanMetrics(streams.map((s) => s.metrics));
      const line = { ...(done && { done: true }), stepsPerSecond, ...totals, metrics, ...memory };
      if (options.json) process.stdout.write(`${JSON.stringify(line)}\n`);
    };
    timer = setInterval(() => report(false), 1000);
    await Promise.race([node.done, interrupts.next()]);
    await node.stop();
    report(true);
    return interrupts.exitCode ?? EXIT.ok;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    await node?.stop();
    await link?.close();
    interrupts.dispose();
  }
}
