// `tprop env <id> --nats URL --run NAME`: an environment publishing its transitions to NATS
// JetStream, one environment per observation stream, until --steps per stream or Ctrl-C.

import { EnvironmentPublisher, connectNats, type NatsLink } from 'tprop/cluster';
import { EXIT } from './cli-error.js';
import { openEnvironment } from './environment-source.js';
import { Interrupts } from './interrupts.js';
import type { EnvCommandOptions } from './nats-options.js';

const notice = (line: string): void => void process.stderr.write(`${line}\n`);

export async function envCommand(options: EnvCommandOptions): Promise<number> {
  const interrupts = new Interrupts();
  let link: NatsLink | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    link = await connectNats({ url: options.nats, name: `tprop env ${options.run}`, log: notice });
    const publisher = await EnvironmentPublisher.start({
      link,
      run: options.run,
      streams: options.streams,
      seed: options.seed,
      steps: options.steps,
      ratePerSecond: options.rate,
      environment: (k) => openEnvironment(options.environment, options.envOptions, options.seed + k),
      describe: { environment: options.environment, options: options.envOptions },
      log: notice,
    });
    interrupts.onFirst(() => void publisher.stop());
    notice(
      `tprop env: publishing ${options.environment} to run "${options.run}" (${options.streams} stream` +
        `${options.streams === 1 ? '' : 's'}) on ${options.nats}`,
    );
    const started = performance.now();
    const report = (done: boolean) => {
      const stats = { ...publisher.stats(), disconnects: link!.disconnects, reconnects: link!.reconnects };
      const seconds = (performance.now() - started) / 1000;
      if (options.json) process.stdout.write(`${JSON.stringify({ ...(done && { done: true }), seconds, ...stats })}\n`);
      else if (done) notice(`tprop env: published ${stats.published} transitions in ${seconds.toFixed(1)} s`);
    };
    timer = setInterval(() => report(false), 1000);
    await publisher.done;
    report(true);
    return interrupts.signal !== null ? (interrupts.exitCode ?? EXIT.interrupted) : EXIT.ok;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    await link?.close();
    interrupts.dispose();
  }
}
