// `tprop run --viewer --nats URL --watch AGENT`: the viewer's page for an agent that learns in
// another process, from the frames it publishes on NATS, until Ctrl-C.

import { RemoteRun, connectNats, type NatsLink } from 'tprop/cluster';
import type { ViewerServer } from 'tprop/server';
import { EXIT } from './cli-error.js';
import { Interrupts } from './interrupts.js';
import type { RunOptions } from './run-options.js';
import { openViewer } from './viewer-session.js';

const notice = (line: string): void => void process.stderr.write(`${line}\n`);

export async function watchCommand(options: RunOptions): Promise<number> {
  const interrupts = new Interrupts();
  let link: NatsLink | undefined;
  let remote: RemoteRun | undefined;
  let viewer: ViewerServer | undefined;
  try {
    link = await connectNats({ url: options.nats, name: `tprop viewer of ${options.watch}`, log: notice });
    notice(`tprop: waiting for agent ${options.watch} on ${options.nats}`);
    remote = await RemoteRun.attach(link, options.watch!);
    viewer = await openViewer(remote, options.viewer!, notice);
    notice(`tprop: watching agent ${options.watch}; the viewer is at ${viewer.url} until Ctrl-C`);
    process.stdout.write(`${JSON.stringify({ viewer: viewer.url, agent: options.watch })}\n`);
    await interrupts.next();
    return interrupts.exitCode ?? EXIT.interrupted;
  } finally {
    await viewer?.close();
    remote?.close();
    await link?.close();
    interrupts.dispose();
  }
}
