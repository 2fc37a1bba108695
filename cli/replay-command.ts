// `tprop replay --nats URL --from RUN --run NEW`: a recorded run (its JetStream stream) published
// anew into another run, at the original pace or as fast as the server takes it.

import { connectNats, replayRun, type NatsLink } from 'tprop/cluster';
import { EXIT } from './cli-error.js';
import { Interrupts } from './interrupts.js';
import type { ReplayCommandOptions } from './nats-options.js';

const notice = (line: string): void => void process.stderr.write(`${line}\n`);

export async function replayCommand(options: ReplayCommandOptions): Promise<number> {
  const interrupts = new Interrupts();
  let link: NatsLink | undefined;
  try {
    link = await connectNats({ url: options.nats, name: `tprop replay ${options.from}`, log: notice });
    notice(`tprop replay: run "${options.from}" into run "${options.run}" (${options.rate}) on ${options.nats}`);
    const result = await replayRun({
      link,
      from: options.from,
      run: options.run,
      rate: options.rate,
      shouldStop: () => interrupts.signal !== null,
    });
    process.stdout.write(`${JSON.stringify({ done: true, ...result })}\n`);
    return interrupts.exitCode ?? EXIT.ok;
  } finally {
    await link?.close();
    interrupts.dispose();
  }
}
